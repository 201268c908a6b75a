/*-------------------------------------------------------------------------
 *
 * hexdigit.c
 *	  One hexadecimal digit's value, shared by the hash-string and identity
 *	  parsers.  Pure C, no server headers, so the parsers stay fuzzable.
 *
 * src/core/hexdigit.c
 *
 *-------------------------------------------------------------------------
 */
#include "hexdigit.h"

int
core_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
