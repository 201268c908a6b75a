-- Base of auth_ext_todo: the schema todo is created by CREATE EXTENSION.
COMMENT ON SCHEMA todo IS 'the todo app on auth_ext';
GRANT USAGE ON SCHEMA todo TO PUBLIC;
