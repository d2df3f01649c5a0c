/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libarchive, libcurl and libcrypto, loaded on first use (dlopen) instead of
 * at every start.  Linked normally they bring 40 shared objects whose loading
 * costs `silo` 15-30 ms per run, more than `silo bundle` or `silo images` take
 * themselves; most commands need none of them.
 *
 * Include this header instead of <archive.h>, <curl/curl.h> and
 * <openssl/evp.h>: every function used is redirected through a table filled
 * by dlsym.  An entry point first calls img_lazy_need(), which loads the
 * library (or fails with a clear error when it is missing); after that the
 * calls are plain indirect calls.
 */
#ifndef SILO_IMAGE_LAZY_H
#define SILO_IMAGE_LAZY_H

#define CURL_DISABLE_TYPECHECK 1
#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "error.h"

enum img_lazy_lib { IMG_LAZY_ARCHIVE, IMG_LAZY_CURL, IMG_LAZY_CRYPTO };

/* Load one library and resolve its functions; 0 or -1 with *err set. */
int img_lazy_need(enum img_lazy_lib lib, struct silo_error *err);

#define IMG_LAZY_ARCHIVE_FUNCS(X)                                                           \
	X(archive_entry_atime) X(archive_entry_atime_is_set) X(archive_entry_atime_nsec)    \
	X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_gid)                 \
	X(archive_entry_hardlink) X(archive_entry_mtime) X(archive_entry_mtime_nsec)         \
	X(archive_entry_new) X(archive_entry_pathname) X(archive_entry_perm)                 \
	X(archive_entry_rdev) X(archive_entry_set_filetype) X(archive_entry_set_gid)         \
	X(archive_entry_set_mtime) X(archive_entry_set_pathname) X(archive_entry_set_perm)   \
	X(archive_entry_set_size) X(archive_entry_set_symlink) X(archive_entry_set_uid)      \
	X(archive_entry_size) X(archive_entry_size_is_set) X(archive_entry_symlink)          \
	X(archive_entry_uid) X(archive_entry_xattr_next) X(archive_entry_xattr_reset)        \
	X(archive_error_string) X(archive_read_data) X(archive_read_data_block)              \
	X(archive_read_free) X(archive_read_new) X(archive_read_next_header)                 \
	X(archive_read_open) X(archive_read_open_fd) X(archive_read_support_filter_all)      \
	X(archive_read_support_format_raw) X(archive_read_support_format_tar)                \
	X(archive_write_add_filter_gzip) X(archive_write_close) X(archive_write_data)        \
	X(archive_write_free) X(archive_write_header) X(archive_write_new)                   \
	X(archive_write_open) X(archive_write_open_fd) X(archive_write_set_filter_option)    \
	X(archive_write_set_format_pax_restricted) X(archive_write_set_format_raw)

#define IMG_LAZY_CURL_FUNCS(X)                                                              \
	X(curl_easy_cleanup) X(curl_easy_escape) X(curl_easy_getinfo) X(curl_easy_init)     \
	X(curl_easy_perform) X(curl_easy_setopt) X(curl_easy_strerror) X(curl_free)          \
	X(curl_global_init) X(curl_multi_add_handle) X(curl_multi_cleanup)                   \
	X(curl_multi_info_read) X(curl_multi_init) X(curl_multi_perform) X(curl_multi_poll)  \
	X(curl_multi_remove_handle) X(curl_slist_append) X(curl_slist_free_all) X(curl_version_info)

#define IMG_LAZY_CRYPTO_FUNCS(X)                                                            \
	X(EVP_DigestFinal_ex) X(EVP_DigestInit_ex) X(EVP_DigestUpdate) X(EVP_MD_CTX_free)    \
	X(EVP_MD_CTX_new) X(EVP_sha256)

#define IMG_LAZY_FIELD(name) __typeof__(&name) name;
struct img_lazy_table {
	IMG_LAZY_ARCHIVE_FUNCS(IMG_LAZY_FIELD)
	IMG_LAZY_CURL_FUNCS(IMG_LAZY_FIELD)
	IMG_LAZY_CRYPTO_FUNCS(IMG_LAZY_FIELD)
};
#undef IMG_LAZY_FIELD

extern struct img_lazy_table img_lazy;

#ifndef IMG_LAZY_IMPLEMENTATION
#define IMG_LAZY_REDIRECT(name) (img_lazy.name)
/* every use below goes through the table */
#define archive_entry_atime IMG_LAZY_REDIRECT(archive_entry_atime)
#define archive_entry_atime_is_set IMG_LAZY_REDIRECT(archive_entry_atime_is_set)
#define archive_entry_atime_nsec IMG_LAZY_REDIRECT(archive_entry_atime_nsec)
#define archive_entry_filetype IMG_LAZY_REDIRECT(archive_entry_filetype)
#define archive_entry_free IMG_LAZY_REDIRECT(archive_entry_free)
#define archive_entry_gid IMG_LAZY_REDIRECT(archive_entry_gid)
#define archive_entry_hardlink IMG_LAZY_REDIRECT(archive_entry_hardlink)
#define archive_entry_mtime IMG_LAZY_REDIRECT(archive_entry_mtime)
#define archive_entry_mtime_nsec IMG_LAZY_REDIRECT(archive_entry_mtime_nsec)
#define archive_entry_new IMG_LAZY_REDIRECT(archive_entry_new)
#define archive_entry_pathname IMG_LAZY_REDIRECT(archive_entry_pathname)
#define archive_entry_perm IMG_LAZY_REDIRECT(archive_entry_perm)
#define archive_entry_rdev IMG_LAZY_REDIRECT(archive_entry_rdev)
#define archive_entry_set_filetype IMG_LAZY_REDIRECT(archive_entry_set_filetype)
#define archive_entry_set_gid IMG_LAZY_REDIRECT(archive_entry_set_gid)
#define archive_entry_set_mtime IMG_LAZY_REDIRECT(archive_entry_set_mtime)
#define archive_entry_set_pathname IMG_LAZY_REDIRECT(archive_entry_set_pathname)
#define archive_entry_set_perm IMG_LAZY_REDIRECT(archive_entry_set_perm)
#define archive_entry_set_size IMG_LAZY_REDIRECT(archive_entry_set_size)
#define archive_entry_set_symlink IMG_LAZY_REDIRECT(archive_entry_set_symlink)
#define archive_entry_set_uid IMG_LAZY_REDIRECT(archive_entry_set_uid)
#define archive_entry_size IMG_LAZY_REDIRECT(archive_entry_size)
#define archive_entry_size_is_set IMG_LAZY_REDIRECT(archive_entry_size_is_set)
#define archive_entry_symlink IMG_LAZY_REDIRECT(archive_entry_symlink)
#define archive_entry_uid IMG_LAZY_REDIRECT(archive_entry_uid)
#define archive_entry_xattr_next IMG_LAZY_REDIRECT(archive_entry_xattr_next)
#define archive_entry_xattr_reset IMG_LAZY_REDIRECT(archive_entry_xattr_reset)
#define archive_error_string IMG_LAZY_REDIRECT(archive_error_string)
#define archive_read_data IMG_LAZY_REDIRECT(archive_read_data)
#define archive_read_data_block IMG_LAZY_REDIRECT(archive_read_data_block)
#define archive_read_free IMG_LAZY_REDIRECT(archive_read_free)
#define archive_read_new IMG_LAZY_REDIRECT(archive_read_new)
#define archive_read_next_header IMG_LAZY_REDIRECT(archive_read_next_header)
#define archive_read_open IMG_LAZY_REDIRECT(archive_read_open)
#define archive_read_open_fd IMG_LAZY_REDIRECT(archive_read_open_fd)
#define archive_read_support_filter_all IMG_LAZY_REDIRECT(archive_read_support_filter_all)
#define archive_read_support_format_raw IMG_LAZY_REDIRECT(archive_read_support_format_raw)
#define archive_read_support_format_tar IMG_LAZY_REDIRECT(archive_read_support_format_tar)
#define archive_write_add_filter_gzip IMG_LAZY_REDIRECT(archive_write_add_filter_gzip)
#define archive_write_close IMG_LAZY_REDIRECT(archive_write_close)
#define archive_write_data IMG_LAZY_REDIRECT(archive_write_data)
#define archive_write_free IMG_LAZY_REDIRECT(archive_write_free)
#define archive_write_header IMG_LAZY_REDIRECT(archive_write_header)
#define archive_write_new IMG_LAZY_REDIRECT(archive_write_new)
#define archive_write_open IMG_LAZY_REDIRECT(archive_write_open)
#define archive_write_open_fd IMG_LAZY_REDIRECT(archive_write_open_fd)
#define archive_write_set_filter_option IMG_LAZY_REDIRECT(archive_write_set_filter_option)
#define archive_write_set_format_pax_restricted IMG_LAZY_REDIRECT(archive_write_set_format_pax_restricted)
#define archive_write_set_format_raw IMG_LAZY_REDIRECT(archive_write_set_format_raw)
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_cleanup IMG_LAZY_REDIRECT(curl_easy_cleanup)
#define curl_easy_escape IMG_LAZY_REDIRECT(curl_easy_escape)
#define curl_easy_getinfo IMG_LAZY_REDIRECT(curl_easy_getinfo)
#define curl_easy_init IMG_LAZY_REDIRECT(curl_easy_init)
#define curl_easy_perform IMG_LAZY_REDIRECT(curl_easy_perform)
#define curl_easy_setopt IMG_LAZY_REDIRECT(curl_easy_setopt)
#define curl_easy_strerror IMG_LAZY_REDIRECT(curl_easy_strerror)
#define curl_free IMG_LAZY_REDIRECT(curl_free)
#define curl_global_init IMG_LAZY_REDIRECT(curl_global_init)
#define curl_multi_add_handle IMG_LAZY_REDIRECT(curl_multi_add_handle)
#define curl_multi_cleanup IMG_LAZY_REDIRECT(curl_multi_cleanup)
#define curl_multi_info_read IMG_LAZY_REDIRECT(curl_multi_info_read)
#define curl_multi_init IMG_LAZY_REDIRECT(curl_multi_init)
#define curl_multi_perform IMG_LAZY_REDIRECT(curl_multi_perform)
#define curl_multi_poll IMG_LAZY_REDIRECT(curl_multi_poll)
#define curl_multi_remove_handle IMG_LAZY_REDIRECT(curl_multi_remove_handle)
#define curl_slist_append IMG_LAZY_REDIRECT(curl_slist_append)
#define curl_slist_free_all IMG_LAZY_REDIRECT(curl_slist_free_all)
#define curl_version_info IMG_LAZY_REDIRECT(curl_version_info)
#define EVP_DigestFinal_ex IMG_LAZY_REDIRECT(EVP_DigestFinal_ex)
#define EVP_DigestInit_ex IMG_LAZY_REDIRECT(EVP_DigestInit_ex)
#define EVP_DigestUpdate IMG_LAZY_REDIRECT(EVP_DigestUpdate)
#define EVP_MD_CTX_free IMG_LAZY_REDIRECT(EVP_MD_CTX_free)
#define EVP_MD_CTX_new IMG_LAZY_REDIRECT(EVP_MD_CTX_new)
#define EVP_sha256 IMG_LAZY_REDIRECT(EVP_sha256)
#endif

#endif
