/*-------------------------------------------------------------------------
 *
 * hexdigit.h
 *	  One hexadecimal digit's value, for the server-independent parsers.
 *
 * src/core/hexdigit.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_HEXDIGIT_H
#define AUTH_HEXDIGIT_H

/* 0..15 for 0-9, a-f, A-F; -1 for anything else. */
extern int	core_hex_value(char c);

#endif							/* AUTH_HEXDIGIT_H */
