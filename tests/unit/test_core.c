/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for the pure helpers of the runtime core: the error object,
 * signal names, container ids, the state JSON, and the sync protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container.h"
#include "error.h"
#include "state.h"
#include "sync.h"
#include "util.h"

static void test_error_errno_is_lower_case(void **state)
{
	struct silo_error e;

	(void)state;
	assert_int_equal(silo_error(&e, ENOENT, "open %s", "/x"), -1);
	assert_string_equal(e.msg, "open /x: no such file or directory");
	assert_int_equal(e.errnum, ENOENT);
	silo_error(&e, EIO, "read");
	assert_string_equal(e.msg, "read: input/output error");   /* as Go says it */
}

static void test_error_ctx_prefixes(void **state)
{
	struct silo_error e;

	(void)state;
	silo_error(&e, EACCES, "open /rootfs/x");
	silo_error_ctx(&e, "mount %s", "/data");
	assert_string_equal(e.msg, "mount /data: open /rootfs/x: permission denied");
	assert_int_equal(e.errnum, EACCES);
}

static void test_error_ctx_truncates_safely(void **state)
{
	struct silo_error e;
	char big[SILO_ERROR_MAX * 2];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	silo_error(&e, 0, "%s", big);
	assert_int_equal(strlen(e.msg), SILO_ERROR_MAX - 1);
	silo_error_ctx(&e, "ctx");
	assert_true(strlen(e.msg) < SILO_ERROR_MAX);
	assert_memory_equal(e.msg, "ctx: ", 5);
}

static void test_signal_names(void **state)
{
	(void)state;
	assert_int_equal(silo_signal_parse("KILL"), SIGKILL);
	assert_int_equal(silo_signal_parse("SIGKILL"), SIGKILL);
	assert_int_equal(silo_signal_parse("sigterm"), SIGTERM);
	assert_int_equal(silo_signal_parse("9"), 9);
	assert_int_equal(silo_signal_parse("USR1"), SIGUSR1);
	assert_int_equal(silo_signal_parse("RTMIN+2"), SIGRTMIN + 2);
	assert_int_equal(silo_signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
	assert_int_equal(silo_signal_parse("0"), -1);
	assert_int_equal(silo_signal_parse("65"), -1);
	assert_int_equal(silo_signal_parse("FOO"), -1);
	assert_int_equal(silo_signal_parse(""), -1);
	assert_int_equal(silo_signal_parse("9x"), -1);
	assert_int_equal(silo_signal_parse("RTMIN+99"), -1);
	/* caught by fuzz/fuzz_signal.c (fuzz/corpus/signal/regress-*) */
	assert_int_equal(silo_signal_parse("RTMIN--9223372036854775808"), -1);
	assert_int_equal(silo_signal_parse("RTMIN+4294967297"), -1);
	assert_int_equal(silo_signal_parse("RTMAX+-1"), -1);
	assert_int_equal(silo_signal_parse("RTMAX--1"), -1);
	assert_string_equal(silo_signal_name(SIGTERM), "TERM");
}

static void test_container_ids(void **state)
{
	struct silo_error e;

	(void)state;
	assert_int_equal(silo_id_check("abc", &e), 0);
	assert_int_equal(silo_id_check("a.b-c_d+e", &e), 0);
	assert_int_equal(silo_id_check("0123456789abcdef", &e), 0);
	assert_int_equal(silo_id_check("", &e), -1);
	assert_int_equal(silo_id_check(".hidden", &e), -1);
	assert_int_equal(silo_id_check("..", &e), -1);
	assert_int_equal(silo_id_check("a/b", &e), -1);
	assert_non_null(strstr(e.msg, "invalid container id \"a/b\""));
	assert_int_equal(silo_id_check("a b", &e), -1);
	assert_int_equal(silo_id_check("a\nb", &e), -1);
}

static void test_state_json_shape(void **state)
{
	struct silo_state s = {
		.id = "c1", .oci_version = "1.0.2", .pid = 42, .bundle = "/b",
		.rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00.000000001Z", .owner = "",
		.annotations_json = "{\"k\":\"v\"}",
	};
	char *j;

	(void)state;
	j = state_to_oci_json(&s, STATUS_RUNNING, false);
	assert_string_equal(j, "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":42,\"status\":\"running\","
			       "\"bundle\":\"/b\",\"rootfs\":\"/b/rootfs\",\"created\":"
			       "\"2026-01-01T00:00:00.000000001Z\",\"annotations\":{\"k\":\"v\"},\"owner\":\"\"}");
	free(j);
	j = state_to_oci_json(&s, STATUS_STOPPED, false);
	assert_non_null(strstr(j, "\"pid\":0,\"status\":\"stopped\""));
	free(j);
}

static void test_sync_error_roundtrip(void **state)
{
	struct silo_error e, got;
	struct sync_msg *m = xmalloc(sizeof(*m));
	int sv[2];

	(void)state;
	assert_int_equal(sync_socketpair(sv, &e), 0);
	silo_error(&e, ENOENT, "exec: \"/nope\": stat /nope");
	sync_send_error(sv[1], &e);
	close(sv[1]);
	assert_int_equal(sync_expect(sv[0], SYNC_READY, m, "ready", &got), -1);
	assert_string_equal(got.msg, "exec: \"/nope\": stat /nope: no such file or directory");
	assert_int_equal(got.errnum, ENOENT);
	/* then EOF names the moment */
	assert_int_equal(sync_expect(sv[0], SYNC_READY, m, "ready", &got), -1);
	assert_string_equal(got.msg, "container init exited before ready");
	close(sv[0]);
	free(m);
}

static void test_parse_numbers(void **state)
{
	int64_t i;
	uint64_t u;

	(void)state;
	assert_int_equal(parse_i64("-12", &i), 0);
	assert_int_equal(i, -12);
	assert_int_equal(parse_i64("12a", &i), -1);
	assert_int_equal(parse_i64("", &i), -1);
	assert_int_equal(parse_u64("-1", &u), -1);
	assert_int_equal(parse_u64("18446744073709551615", &u), 0);
	assert_int_equal(parse_u64("18446744073709551616", &u), -1);
}

static void test_rfc3339(void **state)
{
	char buf[64];
	struct tm tm;

	(void)state;
	format_rfc3339_utc(&(struct timespec){ .tv_sec = 0, .tv_nsec = 5 }, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000005Z");
	format_rfc3339_utc(&(struct timespec){ .tv_sec = 951782400 }, buf, sizeof(buf));
	assert_string_equal(buf, "2000-02-29T00:00:00.000000000Z");
	/* agrees with gmtime_r over a wide range, leap years included */
	for (time_t t = -2208988800LL; t < 4102444800LL; t += 86399 * 37) {
		char want[64];
		gmtime_r(&t, &tm);
		snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.000000000Z", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		format_rfc3339_utc(&(struct timespec){ .tv_sec = t }, buf, sizeof(buf));
		assert_string_equal(buf, want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_errno_is_lower_case),
		cmocka_unit_test(test_error_ctx_prefixes),
		cmocka_unit_test(test_error_ctx_truncates_safely),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_container_ids),
		cmocka_unit_test(test_state_json_shape),
		cmocka_unit_test(test_sync_error_roundtrip),
		cmocka_unit_test(test_parse_numbers),
		cmocka_unit_test(test_rfc3339),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
