/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Terminals.  The init allocates the pty from the container's own devpts
 * (verified by statfs magic), binds the peer onto /dev/console, makes it the
 * controlling terminal and stdio, and sends the master to the console socket
 * exactly like runc: one SCM_RIGHTS fd on an AF_UNIX stream socket.  A
 * foreground `run` receives the master itself and copies between it and its
 * own stdio.
 */
#ifndef SILO_TERMINAL_H
#define SILO_TERMINAL_H

#include <stdbool.h>

#include "error.h"

struct terminal_opts {
	int console_socket;        /* connected socket to send the master on */
	bool mount_console;        /* bind the peer onto /dev/console */
	bool has_size;
	unsigned height, width;
};

/* Init side, after pivot_root. */
int terminal_setup(const struct terminal_opts *o, struct silo_error *err);

/* Connect to a console socket path. */
int terminal_connect(const char *path, struct silo_error *err);
/* Send / receive one fd with SCM_RIGHTS. */
int terminal_send_fd(int sock, int fd, const char *name, struct silo_error *err);
int terminal_recv_fd(int sock, struct silo_error *err);

/* Foreground run: copy between stdin/stdout and the master until the master
 * hangs up or *stop becomes true; stdin is put in raw mode when it is a tty
 * (and restored), and the window size follows the caller's (SIGWINCH). */
struct terminal_proxy;
struct terminal_proxy *terminal_proxy_new(int master, struct silo_error *err);
/* Move what is readable; returns 0 to continue, 1 when the master hung up. */
int terminal_proxy_pump(struct terminal_proxy *tp, short revents_master, bool stdin_ready);
void terminal_proxy_resize(struct terminal_proxy *tp);
void terminal_proxy_free(struct terminal_proxy *tp);
int terminal_proxy_master(struct terminal_proxy *tp);
bool terminal_proxy_stdin_open(struct terminal_proxy *tp);

#endif
