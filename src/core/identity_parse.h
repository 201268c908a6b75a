/*-------------------------------------------------------------------------
 *
 * identity_parse.h
 *	  Server-independent parsers of the identity area: the Authorization
 *	  header's Bearer credential and the textual form of a UUID.
 *
 * No postgres.h here: these are fuzzed on their own (test/fuzz).
 *
 * src/core/identity_parse.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef IDENTITY_PARSE_H
#define IDENTITY_PARSE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum AuthBearerResult
{
	AUTH_BEARER_NONE,			/* empty, or another scheme (Basic, ...) */
	AUTH_BEARER_OK,				/* *token_off / *token_len set */
	AUTH_BEARER_MALFORMED		/* Bearer scheme without a valid b64token */
} AuthBearerResult;

/*
 * Parses an Authorization header value: optional white space, the scheme
 * "Bearer" in any case, one or more spaces, a b64token (RFC 6750 2.1:
 * ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" then any "="), optional
 * trailing white space.
 */
extern AuthBearerResult auth_parse_bearer(const char *s, size_t len,
										  size_t *token_off, size_t *token_len);

/*
 * Parses a UUID the way PostgreSQL's uuid input does: 32 hex digits in any
 * case, optionally inside braces, with a hyphen allowed after any group of
 * four digits.  Returns false (out untouched) on anything else.
 */
extern bool auth_parse_uuid(const char *s, size_t len, unsigned char out[16]);

/*
 * True when s is a UUID in its canonical spelling, the one PostgreSQL's
 * uuid output gives: 36 characters, lower-case hex digits in groups of
 * 8-4-4-4-12 separated by hyphens.
 */
extern bool auth_uuid_is_canonical(const char *s, size_t len);

/* True when s is a non-empty RFC 6265 cookie-name (an RFC 7230 token). */
extern bool auth_valid_cookie_name(const char *s, size_t len);

#endif							/* IDENTITY_PARSE_H */
