// SPDX-License-Identifier: GPL-2.0
/*
 * dax-workload - real, healthy fsdax use in the zdref test guest.
 *
 *   dax-workload busy FILE DISK STATE      pages held by vmsplice and by an
 *                                          O_DIRECT read in flight from DISK
 *   dax-workload truncate FILE STATE       one page held by vmsplice, then a
 *                                          child truncates FILE and blocks
 *
 * FILE is on an ext4 (or xfs) mounted -o dax.  The program creates it, maps
 * it MAP_SHARED, writes every page (each write fault associates a pmem page
 * with the file: page->mapping, page->index), takes the pfn of every page
 * from /proc/self/pagemap (it runs as root), and then keeps some pages
 * referenced the way real I/O does:
 *
 *   vmsplice  the page goes into a pipe that nobody reads and that stays
 *             open: iter_to_pipe -> iov_iter_get_pages2 -> get_user_pages_fast
 *             (FOLL_GET), one reference per pipe_buffer until the pipe is
 *             read or freed.
 *   odirect   a child pread()s from DISK with O_DIRECT into pages of the
 *             mapping.  The host throttles DISK, and one read of up to
 *             512 KiB (one request: no more than the queue's max_sectors_kb
 *             and max_segments allow) first fills the throttle's bucket, so
 *             the child's read stays in flight (the child sleeps in D in
 *             submit_bio_wait) with its pages held by the bio:
 *             FOLL_GET on 6.1 (iov_iter_get_pages2), FOLL_PIN on 6.12
 *             (iov_iter_extract_pages -> pin_user_pages_fast).
 *   truncate  a child ftruncate()s FILE to 0 while a vmsplice'd page is
 *             busy and the file is still mapped: ext4_setattr ->
 *             ext4_break_layouts -> dax_layout_busy_page finds the page and
 *             the child waits in wait_var_event(&page->_refcount) (state S).
 *
 * What it did goes to /dev/kmsg as "ZDREF-TRUTH ..." lines (pfn, file index,
 * inode number from fstat, how the page is held); the refcounts themselves
 * are read back from the kernel by zdref_inject's peek op, not assumed here.
 * STATE gets one line per held page, "PFN HOW", and for truncate a line
 * "truncater PID"; STATE.ready appears once the steady state is reached.
 * Errors are "ZDREF-ERROR dax-workload: ..." (the host stops the run).
 * Then the program sleeps until the dump; it never releases anything.
 *
 * Built static on the host (gcc -static): the guest has no libc.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x00200000
#endif

#define PG 4096UL
#define WARMUP_MAX (512UL << 10)

static int kmsg = -1;

static void klog(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s", prefix);

	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n >= (int)sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';
	if (kmsg < 0 || write(kmsg, buf, n) != n)
		fwrite(buf, 1, n, stderr);
}

static void truth(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	klog("ZDREF-TRUTH ", fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	klog("ZDREF-ERROR dax-workload: ", fmt, ap);
	va_end(ap);
	exit(1);
}

static void __attribute__((noreturn)) sleep_forever(void)
{
	for (;;)
		pause();
}

/* a number from /sys/block/NAME/queue/ATTR, or 0 */
static unsigned long queue_attr(const char *disk, const char *attr)
{
	const char *name = strrchr(disk, '/') ? strrchr(disk, '/') + 1 : disk;
	char path[128], buf[32];
	unsigned long v = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/block/%s/queue/%s", name, attr);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = 0;
		v = strtoul(buf, NULL, 10);
	}
	return v;
}

/* the largest read the block layer sends as one request (capped at 512 KiB) */
static unsigned long one_request(const char *disk)
{
	unsigned long kb = queue_attr(disk, "max_sectors_kb");
	unsigned long segs = queue_attr(disk, "max_segments");
	unsigned long n = WARMUP_MAX;

	if (kb && kb * 1024 < n)
		n = kb * 1024;
	if (segs && segs * PG < n)
		n = segs * PG;
	if (n < 16 * PG)
		die("%s: requests of %lu bytes are too small to fill the throttle", disk, n);
	return n & ~(PG - 1);
}

static uint64_t pfn_of(const void *addr)
{
	static int fd = -1;
	uint64_t e;

	if (fd < 0 && (fd = open("/proc/self/pagemap", O_RDONLY)) < 0)
		die("open /proc/self/pagemap: %s", strerror(errno));
	if (pread(fd, &e, 8, (uintptr_t)addr / PG * 8) != 8)
		die("read /proc/self/pagemap: %s", strerror(errno));
	if (!(e >> 63 & 1))
		die("page at %p not present", addr);
	e &= (1ULL << 55) - 1;
	if (!e)
		die("pagemap shows pfn 0 (not root?)");
	return e;
}

/* state of a task from /proc/PID/stat, the field after "(comm) " */
static char task_state(pid_t pid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return '?';
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return '?';
	buf[n] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

/* wait until PID has been in STATE for 3 checks in a row, 0.5 s apart */
static void wait_state(pid_t pid, char state, const char *what)
{
	int i, n = 0;

	for (i = 0; i < 120 && n < 3; i++) {
		struct timespec ts = { 0, 500000000 };

		n = task_state(pid) == state ? n + 1 : 0;
		nanosleep(&ts, NULL);
	}
	if (n < 3)
		die("%s (pid %d) not in state %c but %c", what, (int)pid, state, task_state(pid));
}

struct file_map {
	const char *path;
	int fd;
	unsigned long ino;
	unsigned long npages;
	char *map;
	uint64_t *pfn;
};

static void map_file(struct file_map *f, const char *path, unsigned long npages)
{
	struct statx stx;
	struct stat st;
	unsigned long i;

	f->path = path;
	f->npages = npages;
	f->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (f->fd < 0)
		die("open %s: %s", path, strerror(errno));
	if (ftruncate(f->fd, npages * PG))
		die("ftruncate %s: %s", path, strerror(errno));
	if (fstat(f->fd, &st))
		die("fstat %s: %s", path, strerror(errno));
	f->ino = st.st_ino;
	if (statx(f->fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx))
		die("statx %s: %s", path, strerror(errno));
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX) || !(stx.stx_attributes & STATX_ATTR_DAX))
		die("%s is not a DAX file (statx attributes %#llx)", path,
		    (unsigned long long)stx.stx_attributes);
	f->map = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	if (f->map == MAP_FAILED)
		die("mmap %s: %s", path, strerror(errno));
	f->pfn = calloc(npages, sizeof(*f->pfn));
	if (!f->pfn)
		die("out of memory");
	/* write every page: each write fault associates a pmem page with the file */
	for (i = 0; i < npages; i++)
		memset(f->map + i * PG, 'a' + i % 26, PG);
	for (i = 0; i < npages; i++)
		f->pfn[i] = pfn_of(f->map + i * PG);
	truth("workload file=%s inode=%lu dev=%u:%u pages=%lu pfn_first=%#llx pfn_last=%#llx pid=%d",
	      path, f->ino, major(st.st_dev), minor(st.st_dev), npages,
	      (unsigned long long)f->pfn[0], (unsigned long long)f->pfn[npages - 1], (int)getpid());
}

static FILE *state_open(const char *path)
{
	FILE *s = fopen(path, "w");

	if (!s)
		die("open %s: %s", path, strerror(errno));
	return s;
}

static void state_ready(FILE *s, const char *path)
{
	char ready[256];
	int fd;

	if (fclose(s))
		die("write %s: %s", path, strerror(errno));
	snprintf(ready, sizeof(ready), "%s.ready", path);
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open %s: %s", ready, strerror(errno));
	close(fd);
}

/* vmsplice page IDX of F into pipe WFD, GETS times (each a pipe_buffer) */
static void splice_page(struct file_map *f, int wfd, unsigned long idx, int gets, FILE *state)
{
	struct iovec iov = { f->map + idx * PG, PG };
	int i;

	for (i = 0; i < gets; i++) {
		ssize_t r = vmsplice(wfd, &iov, 1, 0);

		if (r != (ssize_t)PG)
			die("vmsplice page %lu: %zd (%s)", idx, r, r < 0 ? strerror(errno) : "short");
	}
	truth("hold how=vmsplice pfn=%#llx index=%lu inode=%lu gets=%d pid=%d",
	      (unsigned long long)f->pfn[idx], idx, f->ino, gets, (int)getpid());
	fprintf(state, "%#llx vmsplice\n", (unsigned long long)f->pfn[idx]);
}

static int open_pipe(void)
{
	int p[2];

	if (pipe(p))
		die("pipe: %s", strerror(errno));
	return p[1];		/* both ends stay open: nobody reads */
}

static void busy(const char *file, const char *disk, const char *spath)
{
	/* pages 0-2 spliced once, page 3 twice; pages 8-11 read into by O_DIRECT */
	static const unsigned long dio_first = 8, dio_pages = 4;
	struct file_map f;
	FILE *state = state_open(spath);
	unsigned long i, warmup;
	void *buf;
	pid_t child;
	ssize_t r;
	int wfd, dfd;

	map_file(&f, file, 32);		/* 128 KiB: PTE faults only, never a PMD */
	wfd = open_pipe();
	for (i = 0; i < 4; i++)
		splice_page(&f, wfd, i, i == 3 ? 2 : 1, state);

	dfd = open(disk, O_RDONLY | O_DIRECT);
	if (dfd < 0)
		die("open %s O_DIRECT: %s", disk, strerror(errno));
	warmup = one_request(disk);
	if (posix_memalign(&buf, PG, warmup))
		die("out of memory");
	/* fill the host's throttle bucket with one request that passes at once */
	r = pread(dfd, buf, warmup, 0);
	if (r != (ssize_t)warmup)
		die("warm-up read of %s: %zd (%s)", disk, r, r < 0 ? strerror(errno) : "short");
	for (i = dio_first; i < dio_first + dio_pages; i++)
		fprintf(state, "%#llx odirect\n", (unsigned long long)f.pfn[i]);
	fflush(state);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		prctl(PR_SET_NAME, "dax-odirect");
		r = pread(dfd, f.map + dio_first * PG, dio_pages * PG, warmup);
		die("O_DIRECT read finished before the dump (%zd): throttle too weak", r);
	}
	for (i = dio_first; i < dio_first + dio_pages; i++)
		truth("hold how=odirect pfn=%#llx index=%lu inode=%lu gets=1 pid=%d",
		      (unsigned long long)f.pfn[i], i, f.ino, (int)child);
	wait_state(child, 'D', "O_DIRECT reader");
	truth("odirect in_flight pid=%d comm=dax-odirect disk=%s bytes=%lu warmup=%lu",
	      (int)child, disk, dio_pages * PG, warmup);
	state_ready(state, spath);
	sleep_forever();
}

static void truncate_hang(const char *file, const char *spath)
{
	static const unsigned long idx = 5;
	struct file_map f;
	FILE *state = state_open(spath);
	pid_t child;
	int wfd;

	map_file(&f, file, 16);
	wfd = open_pipe();
	splice_page(&f, wfd, idx, 1, state);
	fflush(state);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		prctl(PR_SET_NAME, "dax-truncate");
		if (ftruncate(f.fd, 0))
			die("ftruncate %s: %s", file, strerror(errno));
		die("ftruncate %s returned: it did not wait for the busy page", file);
	}
	truth("truncater pid=%d comm=dax-truncate file=%s inode=%lu busy_pfn=%#llx busy_index=%lu",
	      (int)child, file, f.ino, (unsigned long long)f.pfn[idx], idx);
	fprintf(state, "truncater %d\n", (int)child);
	wait_state(child, 'S', "truncating child");
	state_ready(state, spath);
	sleep_forever();
}

int main(int argc, char **argv)
{
	kmsg = open("/dev/kmsg", O_WRONLY);
	if (argc == 5 && !strcmp(argv[1], "busy"))
		busy(argv[2], argv[3], argv[4]);
	else if (argc == 4 && !strcmp(argv[1], "truncate"))
		truncate_hang(argv[2], argv[3]);
	fprintf(stderr, "usage: %s busy FILE DISK STATE | truncate FILE STATE\n", argv[0]);
	return 2;
}
