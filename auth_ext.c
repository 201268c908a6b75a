/*-------------------------------------------------------------------------
 *
 * auth_ext.c
 *	  Module entry of auth_ext: the module magic and _PG_init, which hands
 *	  over to each area of the extension, from the bottom of the area order
 *	  up (src/base, passwords, tokens, identity, accounts), and then
 *	  reserves our setting prefix.  The only file that calls every area.
 *
 * Nothing here needs shared_preload_libraries: the library is loaded by the
 * first call of one of its functions, in any backend, and everything it
 * keeps is per backend.
 *
 * auth_ext.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "auth_ext.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	auth_settings_init();
	auth_password_init();
	auth_tokens_init();
	auth_issuers_init();
	auth_identity_init();
	auth_identity_request_init();
	auth_accounts_init();
	auth_recovery_init();

	/*
	 * Nobody may invent auth_ext.* settings: placeholders set before the
	 * library loaded (SET, ALTER ROLE ... SET, PGOPTIONS) are removed here.
	 */
	MarkGUCPrefixReserved("auth_ext");
}
