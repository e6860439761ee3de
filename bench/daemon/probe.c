/*
 * probe — the benchmark's stopwatch, outside the programs it measures.
 *
 *   probe edit ROOT COUNT      edit one random item of ROOT/data.json
 *                              COUNT times (rename-over), timing each from
 *                              the rename to the moment its output file
 *                              is replaced (inotify on ROOT/out)
 *   probe template ROOT COUNT N
 *                              rewrite ROOT/templates/common.j2 COUNT
 *                              times, timing each until N outputs have
 *                              been replaced
 *   probe fsync DIR COUNT      the disk's floor: write + fsync + rename +
 *                              folder fsync of one small file
 *   probe files DIR COUNT N    the file system's floor for a pass without
 *                              fsync: N small files written as a temp
 *                              file renamed over the name, once new, once
 *                              replacing (two lines, COUNT runs each)
 *
 * Prints one line: count, median, p90, p99 and mean, in milliseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *v, int n)
{
	double sum = 0;

	qsort(v, (size_t)n, sizeof(*v), cmp);
	for (int i = 0; i < n; i++)
		sum += v[i];
	printf("%s n=%d p50=%.3f p90=%.3f p99=%.3f mean=%.3f ms\n", what, n,
	    v[n / 2], v[(n * 9) / 10], v[(n * 99) / 100 < n ? (n * 99) / 100 :
	    n - 1], sum / n);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *p;

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	p = malloc(*len + 1);
	if (p == NULL || fread(p, 1, *len, f) != *len)
		exit(1);
	p[*len] = '\0';
	fclose(f);
	return p;
}

static void
spit(const char *path, const char *text, size_t len, const char *final)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1 || write(fd, text, len) != (ssize_t)len || close(fd)) {
		perror(path);
		exit(1);
	}
	if (final != NULL && rename(path, final) == -1) {
		perror("rename");
		exit(1);
	}
}

/* Wait for n replacements in the watched folder (named name if given). */
static void
await(int fd, const char *name, int n)
{
	char buf[65536] __attribute__((aligned(8)));

	while (n > 0) {
		ssize_t r = read(fd, buf, sizeof(buf));
		if (r <= 0) {
			perror("inotify read");
			exit(1);
		}
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *ev = (void *)p;
			if (ev->len > 0 && ev->name[0] != '.' &&
			    (name == NULL || strcmp(ev->name, name) == 0))
				n--;
			p += sizeof(*ev) + ev->len;
		}
	}
}

static void
drain(int fd)
{
	char buf[65536] __attribute__((aligned(8)));
	int fl = fcntl(fd, F_GETFL);

	usleep(50000);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	fcntl(fd, F_SETFL, fl);
}

static int
edits(const char *root, int count)
{
	char path[4096], tmp[4096], out[4096], pat[64], name[32];
	size_t len;
	char *text;
	double *v = calloc((size_t)count, sizeof(double));
	int fd = inotify_init();

	snprintf(path, sizeof(path), "%s/data.json", root);
	snprintf(tmp, sizeof(tmp), "%s/.data.json.probe", root);
	snprintf(out, sizeof(out), "%s/out", root);
	if (inotify_add_watch(fd, out, IN_MOVED_TO | IN_CLOSE_WRITE) == -1) {
		perror(out);
		return 1;
	}
	text = slurp(path, &len);
	int nitems = 0;
	for (char *p = text; (p = strstr(p, "\"name\": \"i")) != NULL; p++)
		nitems++;
	if (nitems == 0)
		return 1;
	srand(1);
	for (int i = 0; i < count; i++) {
		int k = rand() % nitems;
		char *at;
		snprintf(pat, sizeof(pat), "\"name\": \"i%05d\"", k);
		if ((at = strstr(text, pat)) == NULL)
			return 1;
		char *vp = strstr(at, "\"v\": ");
		if (vp == NULL)
			return 1;
		vp += 5;
		/* Replace the number by another of the same width (no
		 * leading zero: that would not be JSON). */
		int w = 0;
		long lo = 1, cur = strtol(vp, NULL, 10), nv;
		while (vp[w] >= '0' && vp[w] <= '9')
			w++;
		for (int e = 1; e < w && e < 18; e++)
			lo *= 10;
		nv = w == 1 ? (cur + 1) % 10 : lo + (cur - lo + 1) % (9 * lo);
		char num[64];
		snprintf(num, sizeof(num), "%0*ld", w < 20 ? w : 20, nv);
		memcpy(vp, num, (size_t)w);
		snprintf(name, sizeof(name), "i%05d.txt", k);
		spit(tmp, text, len, NULL);
		double t0 = now_ms();
		if (rename(tmp, path) == -1)
			return 1;
		await(fd, name, 1);
		v[i] = now_ms() - t0;
		drain(fd);
	}
	report("edit-to-output", v, count);
	return 0;
}

static int
templates(const char *root, int count, int n)
{
	char path[4096], tmp[4096], out[4096], text[128];
	double *v = calloc((size_t)count, sizeof(double));
	int fd = inotify_init();

	snprintf(path, sizeof(path), "%s/templates/common.j2", root);
	snprintf(tmp, sizeof(tmp), "%s/templates/.common.j2.probe", root);
	snprintf(out, sizeof(out), "%s/out", root);
	if (inotify_add_watch(fd, out, IN_MOVED_TO) == -1) {
		perror(out);
		return 1;
	}
	for (int i = 0; i < count; i++) {
		int l = snprintf(text, sizeof(text), "    restart: always # %d\n",
		    i);
		spit(tmp, text, (size_t)l, NULL);
		double t0 = now_ms();
		if (rename(tmp, path) == -1)
			return 1;
		await(fd, NULL, n);
		v[i] = now_ms() - t0;
		drain(fd);
	}
	report("template-edit", v, count);
	return 0;
}

static int
floor_(const char *dir, int count)
{
	char tmp[4096], final[4096];
	double *v = calloc((size_t)count, sizeof(double));

	snprintf(tmp, sizeof(tmp), "%s/.floor.tmp", dir);
	snprintf(final, sizeof(final), "%s/floor.txt", dir);
	for (int i = 0; i < count; i++) {
		double t0 = now_ms();
		int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd == -1 || write(fd, "0123456789abcdef\n", 17) != 17 ||
		    fsync(fd) == -1 || close(fd) == -1 ||
		    rename(tmp, final) == -1)
			return 1;
		int dfd = open(dir, O_RDONLY | O_DIRECTORY);
		if (dfd == -1 || fsync(dfd) == -1)
			return 1;
		close(dfd);
		v[i] = now_ms() - t0;
	}
	unlink(final);
	report("fsync-floor", v, count);
	return 0;
}

/* N files written atomically into dir (new, or replacing): milliseconds. */
static double
files_once(const char *dir, int n, char c)
{
	char tmp[4096], final[4096], text[211];
	double t0 = now_ms();

	memset(text, c, sizeof(text));
	for (int i = 0; i < n; i++) {
		snprintf(tmp, sizeof(tmp), "%s/.tmp.f%06d.txt", dir, i);
		snprintf(final, sizeof(final), "%s/f%06d.txt", dir, i);
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd == -1 || write(fd, text, sizeof(text)) !=
		    (ssize_t)sizeof(text) || fchmod(fd, 0644) == -1 ||
		    close(fd) == -1 || rename(tmp, final) == -1) {
			perror(tmp);
			exit(1);
		}
	}
	return now_ms() - t0;
}

static int
files(const char *dir, int count, int n)
{
	double *made = calloc((size_t)count, sizeof(double));
	double *replaced = calloc((size_t)count, sizeof(double));
	char sub[2048], f[4096];

	for (int r = 0; r < count; r++) {
		snprintf(sub, sizeof(sub), "%s/files-%d", dir, r);
		if (mkdir(sub, 0755) == -1) {
			perror(sub);
			return 1;
		}
		sync();
		made[r] = files_once(sub, n, 'a');
		sync();
		replaced[r] = files_once(sub, n, 'b');
		for (int i = 0; i < n; i++) {
			snprintf(f, sizeof(f), "%s/f%06d.txt", sub, i);
			unlink(f);
		}
		rmdir(sub);
	}
	printf("%d new files: ", n);
	report("files-floor", made, count);
	printf("%d replaced files: ", n);
	report("files-floor", replaced, count);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "edit") == 0)
		return edits(argv[2], atoi(argv[3]));
	if (argc >= 5 && strcmp(argv[1], "template") == 0)
		return templates(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc >= 4 && strcmp(argv[1], "fsync") == 0)
		return floor_(argv[2], atoi(argv[3]));
	if (argc >= 5 && strcmp(argv[1], "files") == 0)
		return files(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: probe edit ROOT COUNT | template ROOT COUNT N "
	    "| fsync DIR COUNT | files DIR COUNT N\n");
	return 2;
}
