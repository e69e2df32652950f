/*
 * git_shim.c - the libgit2 functions sluice calls, from libgit2.so.1.5
 * opened on first use (core/dynlib.h says why). libgit2 with what it pulls
 * in (mbedTLS, libssh2, Kerberos, OpenSSL, pcre2: 15 libraries) was most of
 * the time a `sluice check` of a directory outside any repository spent
 * starting, and such a run needs no git at all (core/gitprobe.h). A
 * function sluice starts to call is added here; the link fails until it is.
 *
 * libgit2 must be initialised before any other call: opening it does that
 * (init_on_open), once, whichever function comes first. The program's
 * git_libgit2_shutdown() at exit undoes it, and is nothing when libgit2 was
 * never opened; the library's own count pairs the other init/shutdown calls.
 */
#include "dynlib.h"
#include "util.h"

#include <dlfcn.h>
#include <git2.h>
#include <string.h>

static void init_on_open(void *handle);
static struct dynlib libgit2 = DYNLIB_INIT_HOOK("libgit2.so.1.5", "libgit2-1.5", init_on_open);

static void init_on_open(void *handle)
{
	void *p = dlsym(handle, "git_libgit2_init");
	int (*init)(void);
	if (!p)
		die("libgit2.so.1.5 has no function git_libgit2_init");
	memcpy(&init, &p, sizeof(init));
	if (init() < 0)
		die("cannot initialise libgit2");
}

/* Opens libgit2 (initialising it) and counts one more user. */
DYNLIB_FN(libgit2, int, git_libgit2_init, (void), ())

int git_libgit2_shutdown(void)
{
	static void *cache;
	void *p;
	int (*f)(void);
	if (!dynlib_is_open(&libgit2))
		return 0;
	p = dynlib_sym(&libgit2, &cache, "git_libgit2_shutdown");
	memcpy(&f, &p, sizeof(f));
	return f();
}

DYNLIB_FN(libgit2, int, git_blob_create_from_buffer,
	  (git_oid *id, git_repository *repo, const void *buffer, size_t len),
	  (id, repo, buffer, len))
DYNLIB_VOID(libgit2, git_blob_free, (git_blob *blob), (blob))
DYNLIB_FN(libgit2, int, git_blob_lookup,
	  (git_blob **blob, git_repository *repo, const git_oid *id),
	  (blob, repo, id))
DYNLIB_FN(libgit2, const void *, git_blob_rawcontent, (const git_blob *blob), (blob))
DYNLIB_FN(libgit2, git_object_size_t, git_blob_rawsize, (const git_blob *blob), (blob))
DYNLIB_VOID(libgit2, git_buf_dispose, (git_buf *buffer), (buffer))
DYNLIB_FN(libgit2, int, git_commit_create,
	  (git_oid *id, git_repository *repo, const char *update_ref,
	   const git_signature *author, const git_signature *committer,
	   const char *message_encoding, const char *message, const git_tree *tree,
	   size_t parent_count, const git_commit *parents[]),
	  (id, repo, update_ref, author, committer, message_encoding, message, tree,
	   parent_count, parents))
DYNLIB_VOID(libgit2, git_commit_free, (git_commit *commit), (commit))
DYNLIB_FN(libgit2, const git_oid *, git_commit_id, (const git_commit *commit), (commit))
DYNLIB_FN(libgit2, int, git_commit_lookup,
	  (git_commit **commit, git_repository *repo, const git_oid *id),
	  (commit, repo, id))
DYNLIB_FN(libgit2, const char *, git_commit_message, (const git_commit *commit), (commit))
DYNLIB_FN(libgit2, int, git_commit_parent,
	  (git_commit **out, const git_commit *commit, unsigned int n),
	  (out, commit, n))
DYNLIB_FN(libgit2, unsigned int, git_commit_parentcount, (const git_commit *commit), (commit))
DYNLIB_FN(libgit2, const char *, git_commit_summary, (git_commit *commit), (commit))
DYNLIB_FN(libgit2, int, git_commit_tree,
	  (git_tree **tree_out, const git_commit *commit),
	  (tree_out, commit))
DYNLIB_VOID(libgit2, git_config_free, (git_config *cfg), (cfg))
DYNLIB_FN(libgit2, int, git_config_get_string_buf,
	  (git_buf *out, const git_config *cfg, const char *name),
	  (out, cfg, name))
DYNLIB_VOID(libgit2, git_config_iterator_free, (git_config_iterator *iter), (iter))
DYNLIB_FN(libgit2, int, git_config_iterator_glob_new,
	  (git_config_iterator **out, const git_config *cfg, const char *regexp),
	  (out, cfg, regexp))
DYNLIB_FN(libgit2, int, git_config_iterator_new,
	  (git_config_iterator **out, const git_config *cfg),
	  (out, cfg))
DYNLIB_FN(libgit2, int, git_config_next,
	  (git_config_entry **entry, git_config_iterator *iter),
	  (entry, iter))
DYNLIB_FN(libgit2, int, git_config_open_default, (git_config **out), (out))
DYNLIB_FN(libgit2, int, git_config_open_ondisk,
	  (git_config **out, const char *path),
	  (out, path))
DYNLIB_FN(libgit2, int, git_config_snapshot,
	  (git_config **out, git_config *config),
	  (out, config))
DYNLIB_FN(libgit2, int, git_diff_buffers,
	  (const void *old_buffer, size_t old_len, const char *old_as_path,
	   const void *new_buffer, size_t new_len, const char *new_as_path,
	   const git_diff_options *options, git_diff_file_cb file_cb,
	   git_diff_binary_cb binary_cb, git_diff_hunk_cb hunk_cb, git_diff_line_cb line_cb,
	   void *payload),
	  (old_buffer, old_len, old_as_path, new_buffer, new_len, new_as_path, options, file_cb,
	   binary_cb, hunk_cb, line_cb, payload))
DYNLIB_FN(libgit2, int, git_diff_find_options_init,
	  (git_diff_find_options *opts, unsigned int version),
	  (opts, version))
DYNLIB_FN(libgit2, int, git_diff_find_similar,
	  (git_diff *diff, const git_diff_find_options *options),
	  (diff, options))
DYNLIB_VOID(libgit2, git_diff_free, (git_diff *diff), (diff))
DYNLIB_FN(libgit2, const git_diff_delta *, git_diff_get_delta,
	  (const git_diff *diff, size_t idx),
	  (diff, idx))
DYNLIB_FN(libgit2, size_t, git_diff_num_deltas, (const git_diff *diff), (diff))
DYNLIB_FN(libgit2, int, git_diff_options_init,
	  (git_diff_options *opts, unsigned int version),
	  (opts, version))
DYNLIB_FN(libgit2, char, git_diff_status_char, (git_delta_t status), (status))
DYNLIB_FN(libgit2, int, git_diff_tree_to_tree,
	  (git_diff **diff, git_repository *repo, git_tree *old_tree, git_tree *new_tree,
	   const git_diff_options *opts),
	  (diff, repo, old_tree, new_tree, opts))
DYNLIB_FN(libgit2, const git_error *, git_error_last, (void), ())
DYNLIB_FN(libgit2, int, git_ignore_path_is_ignored,
	  (int *ignored, git_repository *repo, const char *path),
	  (ignored, repo, path))
DYNLIB_FN(libgit2, int, git_index_add,
	  (git_index *index, const git_index_entry *source_entry),
	  (index, source_entry))
DYNLIB_VOID(libgit2, git_index_free, (git_index *index), (index))
DYNLIB_FN(libgit2, const git_index_entry *, git_index_get_bypath,
	  (git_index *index, const char *path, int stage),
	  (index, path, stage))
DYNLIB_FN(libgit2, int, git_index_open,
	  (git_index **out, const char *index_path),
	  (out, index_path))
DYNLIB_FN(libgit2, int, git_index_remove,
	  (git_index *index, const char *path, int stage),
	  (index, path, stage))
DYNLIB_FN(libgit2, int, git_index_write, (git_index *index), (index))
DYNLIB_FN(libgit2, int, git_merge_base,
	  (git_oid *out, git_repository *repo, const git_oid *one, const git_oid *two),
	  (out, repo, one, two))
DYNLIB_VOID(libgit2, git_object_free, (git_object *object), (object))
DYNLIB_FN(libgit2, int, git_object_peel,
	  (git_object **peeled, const git_object *object, git_object_t target_type),
	  (peeled, object, target_type))
DYNLIB_VOID(libgit2, git_odb_free, (git_odb *db), (db))
DYNLIB_FN(libgit2, int, git_odb_read_header,
	  (size_t *len_out, git_object_t *type_out, git_odb *db, const git_oid *id),
	  (len_out, type_out, db, id))
DYNLIB_FN(libgit2, int, git_oid_cpy, (git_oid *out, const git_oid *src), (out, src))
DYNLIB_FN(libgit2, int, git_oid_equal, (const git_oid *a, const git_oid *b), (a, b))
DYNLIB_FN(libgit2, int, git_oid_fromstr, (git_oid *out, const char *str), (out, str))
DYNLIB_FN(libgit2, char *, git_oid_tostr,
	  (char *out, size_t n, const git_oid *id),
	  (out, n, id))
DYNLIB_FN(libgit2, int, git_reference_create_matching,
	  (git_reference **out, git_repository *repo, const char *name, const git_oid *id,
	   int force, const git_oid *current_id, const char *log_message),
	  (out, repo, name, id, force, current_id, log_message))
DYNLIB_VOID(libgit2, git_reference_free, (git_reference *ref), (ref))
DYNLIB_FN(libgit2, int, git_reference_is_branch, (const git_reference *ref), (ref))
DYNLIB_FN(libgit2, int, git_reference_lookup,
	  (git_reference **out, git_repository *repo, const char *name),
	  (out, repo, name))
DYNLIB_FN(libgit2, const char *, git_reference_name, (const git_reference *ref), (ref))
DYNLIB_FN(libgit2, const char *, git_reference_shorthand, (const git_reference *ref), (ref))
DYNLIB_FN(libgit2, const char *, git_reference_symbolic_target,
	  (const git_reference *ref),
	  (ref))
DYNLIB_FN(libgit2, const git_oid *, git_reference_target, (const git_reference *ref), (ref))
DYNLIB_FN(libgit2, int, git_repository_config_snapshot,
	  (git_config **out, git_repository *repo),
	  (out, repo))
DYNLIB_VOID(libgit2, git_repository_free, (git_repository *repo), (repo))
DYNLIB_FN(libgit2, int, git_repository_head,
	  (git_reference **out, git_repository *repo),
	  (out, repo))
DYNLIB_FN(libgit2, int, git_repository_head_detached, (git_repository *repo), (repo))
DYNLIB_FN(libgit2, int, git_repository_index,
	  (git_index **out, git_repository *repo),
	  (out, repo))
DYNLIB_FN(libgit2, int, git_repository_is_shallow, (git_repository *repo), (repo))
DYNLIB_FN(libgit2, int, git_repository_odb, (git_odb **out, git_repository *repo), (out, repo))
DYNLIB_FN(libgit2, int, git_repository_open,
	  (git_repository **out, const char *path),
	  (out, path))
DYNLIB_FN(libgit2, int, git_repository_open_ext,
	  (git_repository **out, const char *path, unsigned int flags,
	   const char *ceiling_dirs),
	  (out, path, flags, ceiling_dirs))
DYNLIB_FN(libgit2, const char *, git_repository_path, (const git_repository *repo), (repo))
DYNLIB_FN(libgit2, const char *, git_repository_workdir, (const git_repository *repo), (repo))
DYNLIB_FN(libgit2, int, git_revparse_single,
	  (git_object **out, git_repository *repo, const char *spec),
	  (out, repo, spec))
DYNLIB_FN(libgit2, int, git_signature_default,
	  (git_signature **out, git_repository *repo),
	  (out, repo))
DYNLIB_VOID(libgit2, git_signature_free, (git_signature *sig), (sig))
DYNLIB_FN(libgit2, const git_status_entry *, git_status_byindex,
	  (git_status_list *statuslist, size_t idx),
	  (statuslist, idx))
DYNLIB_FN(libgit2, int, git_status_file,
	  (unsigned int *status_flags, git_repository *repo, const char *path),
	  (status_flags, repo, path))
DYNLIB_FN(libgit2, size_t, git_status_list_entrycount,
	  (git_status_list *statuslist),
	  (statuslist))
DYNLIB_VOID(libgit2, git_status_list_free, (git_status_list *statuslist), (statuslist))
DYNLIB_FN(libgit2, int, git_status_list_new,
	  (git_status_list **out, git_repository *repo, const git_status_options *opts),
	  (out, repo, opts))
DYNLIB_FN(libgit2, int, git_status_options_init,
	  (git_status_options *opts, unsigned int version),
	  (opts, version))
DYNLIB_FN(libgit2, int, git_tree_create_updated,
	  (git_oid *out, git_repository *repo, git_tree *baseline, size_t nupdates,
	   const git_tree_update *updates),
	  (out, repo, baseline, nupdates, updates))
DYNLIB_FN(libgit2, int, git_tree_entry_bypath,
	  (git_tree_entry **out, const git_tree *root, const char *path),
	  (out, root, path))
DYNLIB_FN(libgit2, git_filemode_t, git_tree_entry_filemode,
	  (const git_tree_entry *entry),
	  (entry))
DYNLIB_VOID(libgit2, git_tree_entry_free, (git_tree_entry *entry), (entry))
DYNLIB_FN(libgit2, const git_oid *, git_tree_entry_id, (const git_tree_entry *entry), (entry))
DYNLIB_FN(libgit2, const char *, git_tree_entry_name, (const git_tree_entry *entry), (entry))
DYNLIB_FN(libgit2, git_object_t, git_tree_entry_type, (const git_tree_entry *entry), (entry))
DYNLIB_VOID(libgit2, git_tree_free, (git_tree *tree), (tree))
DYNLIB_FN(libgit2, int, git_tree_lookup,
	  (git_tree **out, git_repository *repo, const git_oid *id),
	  (out, repo, id))
DYNLIB_FN(libgit2, int, git_tree_walk,
	  (const git_tree *tree, git_treewalk_mode mode, git_treewalk_cb callback,
	   void *payload),
	  (tree, mode, callback, payload))

