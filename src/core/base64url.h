/*-------------------------------------------------------------------------
 *
 * base64url.h
 *	  Strict base64url (RFC 4648 section 5) without padding, as JOSE uses it.
 *
 * Server-independent (no postgres.h) so that it can be fuzzed on its own.
 *
 * src/core/base64url.h
 *
 *-------------------------------------------------------------------------
 */
#ifndef AUTH_BASE64URL_H
#define AUTH_BASE64URL_H

#include <stddef.h>

/* Bytes needed to encode / at most produced by decoding len input bytes. */
#define B64URL_ENC_LEN(len) (((len) / 3) * 4 + ((len) % 3 ? (len) % 3 + 1 : 0))
#define B64URL_DEC_LEN(len) (((len) / 4) * 3 + ((len) % 4 ? (len) % 4 - 1 : 0))

/*
 * Encodes len bytes of src into dst (B64URL_ENC_LEN(len) bytes, no
 * terminator written).  Returns the number of characters written.
 */
extern size_t b64url_encode(const unsigned char *src, size_t len, char *dst);

/*
 * Decodes len characters of src into dst (room for B64URL_DEC_LEN(len)).
 * Strict: only A-Z a-z 0-9 - _, no padding, no whitespace, a length that is
 * not 1 mod 4, and zero unused bits in the last character (so every byte
 * string has exactly one encoding).  Returns the number of bytes written,
 * or -1 if the input is not canonical base64url.
 */
extern long b64url_decode(const char *src, size_t len, unsigned char *dst);

#endif							/* AUTH_BASE64URL_H */
