/*
 * secrets.c
 *	  The feed secrets.  The file is read whole, refused when group or
 *	  others may read or write it (as ssh refuses a private key), and
 *	  checked line by line: "FEED_KEY SECRET" separated by blanks, blank
 *	  lines and lines starting with # ignored.  A message about the file
 *	  names the line, never its text.  Each pass of the exporter reads it
 *	  again when it changed, so that a new project's secret needs no
 *	  restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "common_log.h"
#include "common_options.h"
#include "config.h"
#include "secrets.h"

typedef struct CtSecret
{
	char	   *key;
	char	   *secret;
} CtSecret;

typedef struct CtSecretFile
{
	CtSecret   *entries;
	int			n;
	struct stat st;				/* of the file read, to see a change */
} CtSecretFile;

static pthread_mutex_t ct_secrets_mutex = PTHREAD_MUTEX_INITIALIZER;
static CtSecretFile ct_file;
static char *ct_env_secret;		/* CT_EXPORTER_SECRET; NULL: none */

/* Forget secrets, their memory cleared first. */
static void
ct_secrets_free(CtSecretFile *f)
{
	for (int i = 0; i < f->n; i++)
	{
		explicit_bzero(f->entries[i].secret, strlen(f->entries[i].secret));
		free(f->entries[i].key);
		free(f->entries[i].secret);
	}
	free(f->entries);
	f->entries = NULL;
	f->n = 0;
}

/*
 * Parse the file's text into f; NULL, or what is wrong (in problem, which
 * names a line number and never a line's text).
 */
static bool
ct_secrets_parse(char *text, CtSecretFile *f, char *problem, size_t size)
{
	int			line = 0;
	char	   *next = text;

	while (next != NULL && *next != '\0')
	{
		char	   *cur = next;
		char	   *fields[3];
		int			nfields = 0;
		char	   *save = NULL;

		line++;
		next = strchr(cur, '\n');
		if (next != NULL)
			*next++ = '\0';
		cur[strcspn(cur, "\r")] = '\0';
		for (char *t = strtok_r(cur, " \t", &save); t != NULL && nfields < 3; t = strtok_r(NULL, " \t", &save))
			fields[nfields++] = t;
		if (nfields == 0 || fields[0][0] == '#')
			continue;
		if (nfields != 2)
		{
			snprintf(problem, size, "line %d is not \"FEED_KEY SECRET\"", line);
			return false;
		}
		if (strlen(fields[1]) >= CT_SECRET_MAX)
		{
			snprintf(problem, size, "the secret of line %d is longer than %d bytes", line, CT_SECRET_MAX - 1);
			return false;
		}
		for (int i = 0; i < f->n; i++)
			if (strcmp(f->entries[i].key, fields[0]) == 0)
			{
				snprintf(problem, size, "line %d names a feed key that an earlier line named", line);
				return false;
			}
		f->entries = realloc(f->entries, (f->n + 1) * sizeof(CtSecret));
		f->entries[f->n].key = strdup(fields[0]);
		f->entries[f->n].secret = strdup(fields[1]);
		f->n++;
	}
	return true;
}

/* Read and parse the secrets file into f; false with the problem said. */
static bool
ct_secrets_read(const char *path, CtSecretFile *f, char *problem, size_t size)
{
	int			fd = open(path, O_RDONLY | O_CLOEXEC);
	char	   *text;
	ssize_t		got = 0;
	bool		ok;

	memset(f, 0, sizeof(*f));
	if (fd < 0 || fstat(fd, &f->st) != 0)
	{
		snprintf(problem, size, "cannot read the secrets file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!S_ISREG(f->st.st_mode) || (f->st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
	{
		snprintf(problem, size, "the secrets file %s must be a file that only its owner may read (chmod 600 %s)",
				 path, path);
		close(fd);
		return false;
	}
	text = malloc(f->st.st_size + 1);

	while (got < f->st.st_size)
	{
		ssize_t		n = read(fd, text +got, f->st.st_size - got);

		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	text[		got] = '\0';

	ok = got == f->st.st_size && ct_secrets_parse(text, f, problem, size);
	if (got != f->st.st_size)
		snprintf(problem, size, "cannot read the secrets file %s", path);
	explicit_bzero(text, got);
	free(text);
	if (!ok)
		ct_secrets_free(f);
	return ok;
}

/* See secrets.h. */
void
ct_secrets_load(void)
{
	const char *env = getenv("CT_EXPORTER_SECRET");
	char		problem[512];

	if (env != NULL && env[0] != '\0')
	{
		if (strlen(env) >= CT_SECRET_MAX)
			ct_fail("CT_EXPORTER_SECRET is longer than %d bytes", CT_SECRET_MAX - 1);
		ct_env_secret = strdup(env);
	}
	unsetenv("CT_EXPORTER_SECRET");
	if (ct_config.secrets_path != NULL && !ct_secrets_read(ct_config.secrets_path, &ct_file, problem, sizeof(problem)))
		ct_fail("%s", problem);
	if (ct_config.secrets_path == NULL && ct_env_secret == NULL)
		ct_fail("no feed secret: give --secrets FILE or CT_EXPORTER_SECRET");
}

/* See secrets.h. */
void
ct_secrets_refresh(void)
{
	struct stat st;
	CtSecretFile f;
	char		problem[512];

	if (ct_config.secrets_path == NULL)
		return;
	if (stat(ct_config.secrets_path, &st) == 0 && st.st_ino == ct_file.st.st_ino &&
		st.st_size == ct_file.st.st_size && st.st_mtim.tv_sec == ct_file.st.st_mtim.tv_sec &&
		st.st_mtim.tv_nsec == ct_file.st.st_mtim.tv_nsec && st.st_mode == ct_file.st.st_mode)
		return;
	if (!ct_secrets_read(ct_config.secrets_path, &f, problem, sizeof(problem)))
	{
		ct_log("ERROR: %s; the secrets read before are kept", problem);
		/* said once, until the file changes again */
		if (stat(ct_config.secrets_path, &st) == 0)
			ct_file.st = st;
		return;
	}
	pthread_mutex_lock(&ct_secrets_mutex);
	ct_secrets_free(&ct_file);
	ct_file = f;
	pthread_mutex_unlock(&ct_secrets_mutex);
	ct_log("the secrets file was read again: %d feed key%s", f.n, f.n == 1 ? "" : "s");
}

/* See secrets.h. */
bool
ct_secret_of(const char *feed_key, char secret[CT_SECRET_MAX])
{
	bool		found = false;

	pthread_mutex_lock(&ct_secrets_mutex);
	for (int i = 0; i < ct_file.n && !found; i++)
		if (strcmp(ct_file.entries[i].key, feed_key) == 0)
		{
			strcpy(secret, ct_file.entries[i].secret);
			found = true;
		}
	if (!found && ct_env_secret != NULL)
	{
		strcpy(secret, ct_env_secret);
		found = true;
	}
	pthread_mutex_unlock(&ct_secrets_mutex);
	return found;
}
