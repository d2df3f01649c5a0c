/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * OCI hooks.  Each hook is executed with the container's state JSON on its
 * stdin, its own args and env (nothing inherited), and its timeout; its
 * stdout and stderr are captured and quoted in the error when it fails.
 * Where each kind runs (runtime-spec "lifecycle"):
 *   prestart, createRuntime  - by the parent, after the namespaces exist
 *   createContainer          - by the init, before pivot_root
 *   startContainer           - by the init, after start, before the payload
 *   poststart                - by `start`/`run`, after the payload started
 *   poststop                 - by `delete`
 */
#ifndef SILO_HOOKS_H
#define SILO_HOOKS_H

#include "error.h"
#include "spec.h"

int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
	      struct silo_error *err);

#endif
