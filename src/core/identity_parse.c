/*-------------------------------------------------------------------------
 *
 * identity_parse.c
 *	  Server-independent parsers of the identity area (see
 *	  identity_parse.h): Bearer credentials, UUID text, cookie names.
 *
 * Every function takes an explicit length, never reads past it and never
 * allocates, so each can be fed arbitrary bytes by a fuzzer.
 *
 * src/core/identity_parse.c
 *
 *-------------------------------------------------------------------------
 */
#include "identity_parse.h"
#include "hexdigit.h"

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_alnum(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9');
}

static bool
is_b64token_char(char c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
		c == '+' || c == '/';
}

AuthBearerResult
auth_parse_bearer(const char *s, size_t len, size_t *token_off,
				  size_t *token_len)
{
	static const char scheme[] = "bearer";
	size_t		i = 0;
	size_t		end = len;
	size_t		start;

	while (i < end && is_ws(s[i]))
		i++;
	while (end > i && is_ws(s[end - 1]))
		end--;
	if (i == end)
		return AUTH_BEARER_NONE;

	/* the scheme, compared case-insensitively */
	for (size_t k = 0; k < sizeof(scheme) - 1; k++)
	{
		char		c;

		if (i + k >= end)
			return AUTH_BEARER_NONE;
		c = s[i + k];
		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if (c != scheme[k])
			return AUTH_BEARER_NONE;
	}
	i += sizeof(scheme) - 1;
	if (i == end)
		return AUTH_BEARER_MALFORMED;	/* "Bearer" alone */
	if (s[i] != ' ')
		return AUTH_BEARER_NONE;	/* "Bearerx ...": another scheme */
	while (i < end && s[i] == ' ')
		i++;

	start = i;
	while (i < end && is_b64token_char(s[i]))
		i++;
	if (i == start)
		return AUTH_BEARER_MALFORMED;
	while (i < end && s[i] == '=')
		i++;
	if (i != end)
		return AUTH_BEARER_MALFORMED;

	*token_off = start;
	*token_len = end - start;
	return AUTH_BEARER_OK;
}

bool
auth_parse_uuid(const char *s, size_t len, unsigned char out[16])
{
	unsigned char buf[16];
	size_t		i = 0;
	size_t		end = len;
	int			ndigits = 0;

	if (len >= 2 && s[0] == '{')
	{
		if (s[len - 1] != '}')
			return false;
		i = 1;
		end = len - 1;
	}
	while (i < end)
	{
		int			hi,
					lo;

		if (ndigits == 32)
			return false;
		hi = core_hex_value(s[i]);
		lo = (i + 1 < end) ? core_hex_value(s[i + 1]) : -1;
		if (hi < 0 || lo < 0)
			return false;
		buf[ndigits / 2] = (unsigned char) (hi << 4 | lo);
		ndigits += 2;
		i += 2;
		/* a hyphen may follow any group of four digits, but not end it */
		if (i < end && s[i] == '-' && ndigits % 4 == 0 && ndigits < 32)
			i++;
	}
	if (ndigits != 32)
		return false;
	for (int k = 0; k < 16; k++)
		out[k] = buf[k];
	return true;
}

bool
auth_uuid_is_canonical(const char *s, size_t len)
{
	if (len != 36)
		return false;
	for (size_t i = 0; i < 36; i++)
	{
		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				return false;
		}
		else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

bool
auth_valid_cookie_name(const char *s, size_t len)
{
	static const char specials[] = "!#$%&'*+-.^_`|~";

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		bool		found = is_alnum(s[i]);

		for (const char *p = specials; !found && *p; p++)
			found = (s[i] == *p);
		if (!found)
			return false;
	}
	return true;
}
