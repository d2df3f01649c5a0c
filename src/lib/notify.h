/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * NOTIFY_SOCKET (sd_notify) relay for create/start/run: the container gets a
 * socket of the runtime's at /run/notify/notify.sock, and the runtime that
 * releases it forwards READY=1 (with MAINPID) to the caller's NOTIFY_SOCKET
 * once the container sends it.  See notify.c.  Every function does nothing
 * when the caller set no NOTIFY_SOCKET path.
 */
#ifndef SILO_NOTIFY_H
#define SILO_NOTIFY_H

#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* create: the bind mount of <state_dir>/notify on /run/notify and the
 * NOTIFY_SOCKET variable, added to spec (before the payload's env is built). */
int notify_prepare_spec(struct spec *spec, const char *state_dir, struct silo_error *err);
/* create: make <state dir>/notify (dir_fd is the state dir). */
int notify_make_dir(int dir_fd, struct silo_error *err);

/* start/run, before the payload may run: bind <state_dir>/notify/notify.sock.
 * Returns the socket, -2 when there is nothing to relay, -1 on error. */
int notify_bind(int dir_fd, const char *state_dir, struct silo_error *err);
/* Relay what the container sends until READY=1 went through (prefixed with
 * MAINPID=pid) or pid exited. */
int notify_relay(int sock, pid_t pid, struct silo_error *err);
/* Remove the socket file after the relay. */
void notify_unlink(int dir_fd);

#endif
