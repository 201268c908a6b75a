/*
 * bench/40_argon2_rate.c: the raw Argon2id rate in C, the physical limit of
 * sign-ins per second.  Times argon2id_hash_raw() at the given parameters
 * (default: m=19456 KiB, t=2, p=1, the auth_ext defaults) on one thread.
 *
 *   cc -O2 -o argon2_rate bench/40_argon2_rate.c -largon2
 *   ./argon2_rate [iterations] [m_kib] [t] [p]
 *
 * Prints "argon2id_hash_raw m=.. t=.. p=.. ms_per_hash=.. hashes_per_second=..".
 */
#include <argon2.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int
main(int argc, char **argv)
{
	int			n = argc > 1 ? atoi(argv[1]) : 40;
	uint32_t	m = argc > 2 ? (uint32_t) atoi(argv[2]) : 19456;
	uint32_t	t = argc > 3 ? (uint32_t) atoi(argv[3]) : 2;
	uint32_t	p = argc > 4 ? (uint32_t) atoi(argv[4]) : 1;
	const char	password[] = "correct horse battery staple";
	unsigned char salt[16] = "0123456789abcdef";
	unsigned char out[32];
	struct timespec a, b;
	double		secs;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < n; i++)
	{
		salt[0] = (unsigned char) i;
		if (argon2id_hash_raw(t, m, p, password, sizeof(password) - 1,
							  salt, sizeof(salt), out, sizeof(out)) != ARGON2_OK)
		{
			fprintf(stderr, "argon2id_hash_raw failed\n");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
	printf("argon2id_hash_raw m=%u t=%u p=%u ms_per_hash=%.2f hashes_per_second=%.1f\n",
		   m, t, p, 1000.0 * secs / n, n / secs);
	return 0;
}
