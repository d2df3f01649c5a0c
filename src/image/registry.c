/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* placeholder */
#include "image.h"
int img_pull(struct img_store *s, const char *what, const struct img_pull_opts *o, char *id_out,
	     struct silo_error *err)
{
	(void)s; (void)o; (void)id_out;
	return silo_error(err, 0, "pull %s: not implemented", what);
}
