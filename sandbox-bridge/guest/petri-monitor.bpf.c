/* petri-monitor.bpf.c: the eBPF half of Petri's behaviour monitor
 *
 * Copyright 2026 The Petri authors
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Follows one process tree (the thread groups in the "tracked" map, which the
 * agent seeds with the sample's pid; children are added at fork, removed at
 * exit) and hands raw records to user space through a ring buffer. Nothing
 * here is visible to the traced processes: no ptrace, no signals.
 *
 * Syscall arguments are saved per thread at sys_enter; user memory (paths,
 * socket addresses, payloads) is read at sys_exit, when the pages the call
 * used are resident. Kernel structures are declared below with only the
 * fields used, relocated at load time (CO-RE) against the kernel's BTF.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <asm/unistd_64.h>
/* The i386 numbers as __NR32_*, generated from asm/unistd_32.h. */
#include "petri-unistd-32.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "petri-monitor-event.h"

char LICENSE[] SEC ("license") = "GPL";

/* Kernel types: only what is read, matched by name through BTF. */
struct pt_regs
{
  unsigned long bx, cx, dx, si, di, bp, r10, r8, r9;
} __attribute__ ((preserve_access_index));

/* x86's thread_info.status: TS_COMPAT while a 32-bit (int 0x80, sysenter)
 * system call runs — in a 32-bit program, or in a 64-bit one that uses the
 * 32-bit entry to slip past monitors that only know the 64-bit table. */
struct thread_info
{
  __u32 status;
} __attribute__ ((preserve_access_index));
#define PETRI_TS_COMPAT 0x0002

typedef struct
{
  int counter;
} atomic_t;

struct signal_struct
{
  atomic_t live;
} __attribute__ ((preserve_access_index));

struct mm_struct
{
  unsigned long arg_start, arg_end;
} __attribute__ ((preserve_access_index));

struct file
{
  unsigned int f_mode;
} __attribute__ ((preserve_access_index));

struct fdtable
{
  unsigned int max_fds;
  struct file **fd;
} __attribute__ ((preserve_access_index));

struct files_struct
{
  struct fdtable *fdt;
} __attribute__ ((preserve_access_index));

struct task_struct
{
  struct thread_info thread_info;
  int pid;
  int tgid;
  int exit_code;
  struct task_struct *real_parent;
  struct signal_struct *signal;
  struct mm_struct *mm;
  struct files_struct *files;
} __attribute__ ((preserve_access_index));

struct linux_binprm
{
  const char *filename;
} __attribute__ ((preserve_access_index));

struct iovec_user
{
  __u64 base;
  __u64 len;
};

struct msghdr_user /* struct user_msghdr, also the head of struct mmsghdr */
{
  __u64 name;
  __s32 namelen;
  __u32 pad;
  __u64 iov;
  __u64 iovlen;
};

/* The 32-bit forms (struct compat_msghdr, compat_iovec). */
struct iovec_user32
{
  __u32 base;
  __u32 len;
};

struct msghdr_user32
{
  __u32 name;
  __s32 namelen;
  __u32 iov;
  __u32 iovlen;
};

struct call
{
  __s64 nr; /* always the x86-64 number */
  __u64 args[6];
  __u32 compat; /* made through the 32-bit entry: 32-bit structures */
  __u32 pad;
};

struct write_key
{
  __u32 tgid;
  __u32 fd;
};

struct
{
  __uint (type, BPF_MAP_TYPE_HASH);
  __uint (max_entries, PETRI_MON_MAX_TRACKED);
  __type (key, __u32);   /* tgid */
  __type (value, __u32); /* tgid of the parent when added */
} tracked SEC (".maps");

struct
{
  __uint (type, BPF_MAP_TYPE_LRU_HASH);
  __uint (max_entries, 16384);
  __type (key, __u32); /* tid */
  __type (value, struct call);
} inflight SEC (".maps");

/* (tgid, fd) already reported as written since it was opened */
struct
{
  __uint (type, BPF_MAP_TYPE_LRU_HASH);
  __uint (max_entries, 16384);
  __type (key, struct write_key);
  __type (value, __u8);
} written SEC (".maps");

struct
{
  __uint (type, BPF_MAP_TYPE_ARRAY);
  __uint (max_entries, PETRI_MON_STAT_N);
  __type (key, __u32);
  __type (value, __u64);
} stats SEC (".maps");

struct
{
  __uint (type, BPF_MAP_TYPE_RINGBUF);
  __uint (max_entries, 8 * 1024 * 1024);
} events SEC (".maps");

static __always_inline void
count (__u32 which)
{
  __u64 *v = bpf_map_lookup_elem (&stats, &which);

  if (v != NULL)
    __sync_fetch_and_add (v, 1);
}

static __always_inline int
is_tracked (__u32 tgid)
{
  return bpf_map_lookup_elem (&tracked, &tgid) != NULL;
}

static __always_inline struct petri_mon_event *
reserve (__u32 kind)
{
  struct petri_mon_event *e = bpf_ringbuf_reserve (&events, sizeof *e, 0);
  struct task_struct *task;
  __u64 id;

  if (e == NULL)
    {
      count (PETRI_MON_STAT_DROPPED);
      return NULL;
    }
  id = bpf_get_current_pid_tgid ();
  task = (struct task_struct *) bpf_get_current_task ();
  e->ts_ns = bpf_ktime_get_ns ();
  e->kind = kind;
  e->pid = id >> 32;
  e->tid = (__u32) id;
  e->ppid = BPF_CORE_READ (task, real_parent, tgid);
  e->nr = -1;
  e->ret = 0;
  for (int i = 0; i < 6; i++)
    e->args[i] = 0;
  e->aux = 0;
  e->len0 = 0;
  e->len1 = 0;
  e->str0[0] = '\0';
  e->str1[0] = '\0';
  bpf_get_current_comm (e->comm, sizeof e->comm);
  return e;
}

SEC ("tp_btf/sched_process_fork")
int
BPF_PROG (on_fork, struct task_struct *parent, struct task_struct *child)
{
  __u32 ptgid = BPF_CORE_READ (parent, tgid);
  __u32 ctgid = BPF_CORE_READ (child, tgid);
  struct petri_mon_event *e;

  if (ptgid == ctgid || !is_tracked (ptgid))
    return 0; /* a new thread, or not ours */
  if (bpf_map_update_elem (&tracked, &ctgid, &ptgid, BPF_ANY) != 0)
    {
      count (PETRI_MON_STAT_UNTRACKED);
      return 0;
    }
  e = reserve (PETRI_MON_FORK);
  if (e == NULL)
    return 0;
  e->pid = ctgid;
  e->tid = BPF_CORE_READ (child, pid);
  e->ppid = ptgid;
  bpf_ringbuf_submit (e, 0);
  return 0;
}

SEC ("tp_btf/sched_process_exec")
int
BPF_PROG (on_exec, struct task_struct *p, int old_pid, struct linux_binprm *bprm)
{
  __u32 tgid = BPF_CORE_READ (p, tgid);
  struct petri_mon_event *e;
  unsigned long start, end, len;
  const char *filename;
  long n;

  if (!is_tracked (tgid))
    return 0;
  e = reserve (PETRI_MON_EXEC);
  if (e == NULL)
    return 0;
  filename = BPF_CORE_READ (bprm, filename);
  n = bpf_probe_read_kernel_str (e->str0, sizeof e->str0, filename);
  e->len0 = n > 0 ? n : 0;
  start = BPF_CORE_READ (p, mm, arg_start);
  end = BPF_CORE_READ (p, mm, arg_end);
  len = end > start ? end - start : 0;
  if (len > sizeof e->str1)
    len = sizeof e->str1;
  if (len > 0 && bpf_probe_read_user (e->str1, len, (const void *) start) == 0)
    e->len1 = len;
  bpf_ringbuf_submit (e, 0);
  return 0;
}

SEC ("tp_btf/sched_process_exit")
int
BPF_PROG (on_exit, struct task_struct *p)
{
  __u32 tgid = BPF_CORE_READ (p, tgid);
  struct petri_mon_event *e;

  if (!is_tracked (tgid))
    return 0;
  if (BPF_CORE_READ (p, signal, live.counter) != 0)
    return 0; /* other threads of the group still run */
  bpf_map_delete_elem (&tracked, &tgid);
  e = reserve (PETRI_MON_EXIT);
  if (e == NULL)
    return 0;
  e->pid = tgid;
  e->aux = (__u32) BPF_CORE_READ (p, exit_code);
  bpf_ringbuf_submit (e, 0);
  return 0;
}

static __always_inline int
interesting (long nr)
{
  switch (nr)
    {
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
    case __NR_creat:
    case __NR_close:
    case __NR_dup:
    case __NR_dup2:
    case __NR_dup3:
    case __NR_fcntl:
    case __NR_write:
    case __NR_pwrite64:
    case __NR_writev:
    case __NR_pwritev:
    case __NR_pwritev2:
    case __NR_sendfile:
    case __NR_copy_file_range:
    case __NR_splice:
    case __NR_io_uring_setup:
    case __NR_unlink:
    case __NR_unlinkat:
    case __NR_rmdir:
    case __NR_rename:
    case __NR_renameat:
    case __NR_renameat2:
    case __NR_mkdir:
    case __NR_mkdirat:
    case __NR_symlink:
    case __NR_symlinkat:
    case __NR_link:
    case __NR_linkat:
    case __NR_chmod:
    case __NR_fchmod:
    case __NR_fchmodat:
    case __NR_chown:
    case __NR_fchown:
    case __NR_lchown:
    case __NR_fchownat:
    case __NR_access:
    case __NR_faccessat:
    case __NR_faccessat2:
    case __NR_stat:
    case __NR_lstat:
    case __NR_newfstatat:
    case __NR_statx:
    case __NR_readlink:
    case __NR_readlinkat:
    case __NR_chdir:
    case __NR_socket:
    case __NR_connect:
    case __NR_bind:
    case __NR_sendto:
    case __NR_sendmsg:
    case __NR_sendmmsg:
    case __NR_ptrace:
    case __NR_process_vm_writev:
    case __NR_process_vm_readv:
    case __NR_ioctl:
      return 1;
    default:
      return 0;
    }
}

/* The x86-64 number of an i386 system call of interest, or -1. The 16-
 * and 32-bit uid variants, stat64 and fcntl64 become their plain forms. */
static __always_inline long
native_nr (long nr32)
{
  switch (nr32)
    {
    case __NR32_open:
      return __NR_open;
    case __NR32_openat:
      return __NR_openat;
    case __NR32_openat2:
      return __NR_openat2;
    case __NR32_creat:
      return __NR_creat;
    case __NR32_close:
      return __NR_close;
    case __NR32_dup:
      return __NR_dup;
    case __NR32_dup2:
      return __NR_dup2;
    case __NR32_dup3:
      return __NR_dup3;
    case __NR32_fcntl:
    case __NR32_fcntl64:
      return __NR_fcntl;
    case __NR32_write:
      return __NR_write;
    case __NR32_pwrite64:
      return __NR_pwrite64;
    case __NR32_writev:
      return __NR_writev;
    case __NR32_pwritev:
      return __NR_pwritev;
    case __NR32_pwritev2:
      return __NR_pwritev2;
    case __NR32_sendfile:
    case __NR32_sendfile64:
      return __NR_sendfile;
    case __NR32_copy_file_range:
      return __NR_copy_file_range;
    case __NR32_splice:
      return __NR_splice;
    case __NR32_io_uring_setup:
      return __NR_io_uring_setup;
    case __NR32_unlink:
      return __NR_unlink;
    case __NR32_unlinkat:
      return __NR_unlinkat;
    case __NR32_rmdir:
      return __NR_rmdir;
    case __NR32_rename:
      return __NR_rename;
    case __NR32_renameat:
      return __NR_renameat;
    case __NR32_renameat2:
      return __NR_renameat2;
    case __NR32_mkdir:
      return __NR_mkdir;
    case __NR32_mkdirat:
      return __NR_mkdirat;
    case __NR32_symlink:
      return __NR_symlink;
    case __NR32_symlinkat:
      return __NR_symlinkat;
    case __NR32_link:
      return __NR_link;
    case __NR32_linkat:
      return __NR_linkat;
    case __NR32_chmod:
      return __NR_chmod;
    case __NR32_fchmod:
      return __NR_fchmod;
    case __NR32_fchmodat:
      return __NR_fchmodat;
    case __NR32_chown:
    case __NR32_chown32:
      return __NR_chown;
    case __NR32_fchown:
    case __NR32_fchown32:
      return __NR_fchown;
    case __NR32_lchown:
    case __NR32_lchown32:
      return __NR_lchown;
    case __NR32_fchownat:
      return __NR_fchownat;
    case __NR32_access:
      return __NR_access;
    case __NR32_faccessat:
      return __NR_faccessat;
    case __NR32_faccessat2:
      return __NR_faccessat2;
    case __NR32_stat:
    case __NR32_stat64:
      return __NR_stat;
    case __NR32_lstat:
    case __NR32_lstat64:
      return __NR_lstat;
    case __NR32_fstatat64:
      return __NR_newfstatat;
    case __NR32_statx:
      return __NR_statx;
    case __NR32_readlink:
      return __NR_readlink;
    case __NR32_readlinkat:
      return __NR_readlinkat;
    case __NR32_chdir:
      return __NR_chdir;
    case __NR32_socket:
      return __NR_socket;
    case __NR32_connect:
      return __NR_connect;
    case __NR32_bind:
      return __NR_bind;
    case __NR32_sendto:
      return __NR_sendto;
    case __NR32_sendmsg:
      return __NR_sendmsg;
    case __NR32_sendmmsg:
      return __NR_sendmmsg;
    case __NR32_ptrace:
      return __NR_ptrace;
    case __NR32_process_vm_writev:
      return __NR_process_vm_writev;
    case __NR32_process_vm_readv:
      return __NR_process_vm_readv;
    case __NR32_ioctl:
      return __NR_ioctl;
    default:
      return -1;
    }
}

/* socketcall(2)'s call numbers (linux/net.h). */
#define PETRI_SYS_SOCKET 1
#define PETRI_SYS_BIND 2
#define PETRI_SYS_CONNECT 3
#define PETRI_SYS_SEND 9
#define PETRI_SYS_SENDTO 11
#define PETRI_SYS_SENDMSG 16
#define PETRI_SYS_SENDMMSG 20

/* i386's multiplexed socket call (what glibc uses there): its call number,
 * and its arguments from the array it points to. */
static __always_inline long
socketcall (__u64 call, __u64 argp, struct call *c)
{
  __u32 a[6] = {};
  long nr;

  switch (call)
    {
    case PETRI_SYS_SOCKET:
      nr = __NR_socket;
      break;
    case PETRI_SYS_BIND:
      nr = __NR_bind;
      break;
    case PETRI_SYS_CONNECT:
      nr = __NR_connect;
      break;
    case PETRI_SYS_SEND:
      nr = __NR_sendto;
      break; /* sendto without an address */
    case PETRI_SYS_SENDTO:
      nr = __NR_sendto;
      break;
    case PETRI_SYS_SENDMSG:
      nr = __NR_sendmsg;
      break;
    case PETRI_SYS_SENDMMSG:
      nr = __NR_sendmmsg;
      break;
    default:
      return -1;
    }
  if (bpf_probe_read_user (a, sizeof a, (const void *) argp) != 0)
    bpf_probe_read_user (a, 3 * sizeof a[0], (const void *) argp);
  for (int i = 0; i < 6; i++)
    c->args[i] = a[i];
  if (call == PETRI_SYS_SEND)
    c->args[4] = c->args[5] = 0;
  return nr;
}

SEC ("tp_btf/sys_enter")
int
BPF_PROG (on_sys_enter, struct pt_regs *regs, long id)
{
  __u64 pid_tgid = bpf_get_current_pid_tgid ();
  __u32 tid = (__u32) pid_tgid;
  struct task_struct *task;
  struct call c = {};

  if (!is_tracked (pid_tgid >> 32))
    return 0;
  task = (struct task_struct *) bpf_get_current_task ();
  if (BPF_CORE_READ (task, thread_info.status) & PETRI_TS_COMPAT)
    {
      /* The i386 convention: number in eax, arguments in ebx, ecx, edx,
       * esi, edi, ebp (the upper halves are zero). */
      c.compat = 1;
      if (id == __NR32_socketcall)
        c.nr = socketcall (BPF_CORE_READ (regs, bx), BPF_CORE_READ (regs, cx) & 0xffffffff, &c);
      else
        {
          c.nr = native_nr (id);
          c.args[0] = BPF_CORE_READ (regs, bx) & 0xffffffff;
          c.args[1] = BPF_CORE_READ (regs, cx) & 0xffffffff;
          c.args[2] = BPF_CORE_READ (regs, dx) & 0xffffffff;
          c.args[3] = BPF_CORE_READ (regs, si) & 0xffffffff;
          c.args[4] = BPF_CORE_READ (regs, di) & 0xffffffff;
          c.args[5] = BPF_CORE_READ (regs, bp) & 0xffffffff;
        }
      if (c.nr < 0)
        return 0;
    }
  else
    {
      if (!interesting (id))
        return 0;
      c.nr = id;
      c.args[0] = BPF_CORE_READ (regs, di);
      c.args[1] = BPF_CORE_READ (regs, si);
      c.args[2] = BPF_CORE_READ (regs, dx);
      c.args[3] = BPF_CORE_READ (regs, r10);
      c.args[4] = BPF_CORE_READ (regs, r8);
      c.args[5] = BPF_CORE_READ (regs, r9);
    }
  bpf_map_update_elem (&inflight, &tid, &c, BPF_ANY);
  return 0;
}

static __always_inline void
read_path0 (struct petri_mon_event *e, __u64 ptr)
{
  long n = bpf_probe_read_user_str (e->str0, sizeof e->str0, (const void *) ptr);
  e->len0 = n > 0 ? n : 0;
}

static __always_inline void
read_path1 (struct petri_mon_event *e, __u64 ptr)
{
  long n = bpf_probe_read_user_str (e->str1, sizeof e->str1, (const void *) ptr);
  e->len1 = n > 0 ? n : 0;
}

static __always_inline void
read_addr (struct petri_mon_event *e, __u64 ptr, __u64 len)
{
  if (ptr == 0 || len == 0)
    return;
  if (len > PETRI_MON_ADDR)
    len = PETRI_MON_ADDR;
  if (bpf_probe_read_user (e->str0, len & (PETRI_MON_ADDR * 2 - 1), (const void *) ptr) == 0)
    e->len0 = len;
}

static __always_inline void
read_payload (struct petri_mon_event *e, __u64 ptr, __u64 len)
{
  __u32 n;

  if (ptr == 0 || len == 0)
    return;
  n = len > PETRI_MON_PAYLOAD ? PETRI_MON_PAYLOAD : (__u32) len;
  /* Kept from the compiler, so that the verifier sees the bound (older
   * verifiers lose it through the clamp above). */
  barrier_var (n);
  n &= PETRI_MON_PAYLOAD * 2 - 1;
  if (bpf_probe_read_user (e->str1, n, (const void *) ptr) == 0)
    e->len1 = n;
}

static __always_inline void
read_msghdr (struct petri_mon_event *e, __u64 ptr)
{
  struct msghdr_user m;
  struct iovec_user iov;

  if (bpf_probe_read_user (&m, sizeof m, (const void *) ptr) != 0)
    return;
  if (m.namelen > 0)
    read_addr (e, m.name, (__u64) m.namelen);
  if (m.iovlen > 0 && bpf_probe_read_user (&iov, sizeof iov, (const void *) m.iov) == 0)
    read_payload (e, iov.base, iov.len);
}

static __always_inline void
read_msghdr32 (struct petri_mon_event *e, __u64 ptr)
{
  struct msghdr_user32 m;
  struct iovec_user32 iov;

  if (bpf_probe_read_user (&m, sizeof m, (const void *) ptr) != 0)
    return;
  if (m.namelen > 0)
    read_addr (e, m.name, (__u64) m.namelen);
  if (m.iovlen > 0 && bpf_probe_read_user (&iov, sizeof iov, (const void *) (__u64) m.iov) == 0)
    read_payload (e, iov.base, iov.len);
}

/* The file an fd refers to in the current task; its f_mode tells whether an
 * open created it. */
static __always_inline __u64
fd_mode (long fd)
{
  struct task_struct *task = (struct task_struct *) bpf_get_current_task ();
  struct fdtable *fdt = BPF_CORE_READ (task, files, fdt);
  struct file **fds;
  struct file *f = NULL;

  if (fd < 0 || fdt == NULL || (unsigned long) fd >= BPF_CORE_READ (fdt, max_fds))
    return 0;
  fds = BPF_CORE_READ (fdt, fd);
  if (bpf_probe_read_kernel (&f, sizeof f, &fds[fd]) != 0 || f == NULL)
    return 0;
  return BPF_CORE_READ (f, f_mode);
}

SEC ("tp_btf/sys_exit")
int
BPF_PROG (on_sys_exit, struct pt_regs *regs, long ret)
{
  __u64 pid_tgid = bpf_get_current_pid_tgid ();
  __u32 tid = (__u32) pid_tgid;
  struct write_key wk = { .tgid = pid_tgid >> 32 };
  struct petri_mon_event *e;
  struct call *cp;
  struct call c;
  __u8 one = 1;

  cp = bpf_map_lookup_elem (&inflight, &tid);
  if (cp == NULL)
    return 0;
  c = *cp;
  bpf_map_delete_elem (&inflight, &tid);

  switch (c.nr)
    {
    case __NR_write:
    case __NR_pwrite64:
    case __NR_writev:
    case __NR_pwritev:
    case __NR_pwritev2:
      /* Only the first successful write per open file description. */
      if (ret <= 0)
        return 0;
      wk.fd = (__u32) c.args[0];
      if (bpf_map_lookup_elem (&written, &wk) != NULL)
        return 0;
      bpf_map_update_elem (&written, &wk, &one, BPF_ANY);
      break;
    case __NR_sendfile:
    case __NR_copy_file_range:
    case __NR_splice:
      /* Copies made by the kernel: writes to their output descriptor. */
      if (ret <= 0)
        return 0;
      wk.fd = (__u32) (c.nr == __NR_sendfile ? c.args[0] : c.args[2]);
      if (bpf_map_lookup_elem (&written, &wk) != NULL)
        return 0;
      bpf_map_update_elem (&written, &wk, &one, BPF_ANY);
      break;
    case __NR_close:
      wk.fd = (__u32) c.args[0];
      bpf_map_delete_elem (&written, &wk);
      if (ret != 0)
        return 0;
      break;
    case __NR_open:
    case __NR_openat:
    case __NR_openat2:
    case __NR_creat:
    case __NR_dup:
    case __NR_dup2:
    case __NR_dup3:
    case __NR_fcntl:
    case __NR_socket:
      if (ret >= 0)
        {
          wk.fd = (__u32) ret;
          bpf_map_delete_elem (&written, &wk);
        }
      break;
    default:
      break;
    }

  e = reserve (PETRI_MON_SYSCALL);
  if (e == NULL)
    return 0;
  e->nr = c.nr;
  e->ret = ret;
  for (int i = 0; i < 6; i++)
    e->args[i] = c.args[i];

  switch (c.nr)
    {
    case __NR_open:
    case __NR_creat:
      read_path0 (e, c.args[0]);
      e->aux = fd_mode (ret);
      break;
    case __NR_openat:
      read_path0 (e, c.args[1]);
      e->aux = fd_mode (ret);
      break;
    case __NR_openat2:
      read_path0 (e, c.args[1]);
      /* struct open_how starts with the u64 flags */
      bpf_probe_read_user (&e->args[2], sizeof e->args[2], (const void *) c.args[2]);
      e->aux = fd_mode (ret);
      break;
    case __NR_unlink:
    case __NR_rmdir:
    case __NR_mkdir:
    case __NR_chmod:
    case __NR_chown:
    case __NR_lchown:
    case __NR_access:
    case __NR_stat:
    case __NR_lstat:
    case __NR_readlink:
    case __NR_chdir:
      read_path0 (e, c.args[0]);
      break;
    case __NR_unlinkat:
    case __NR_mkdirat:
    case __NR_fchmodat:
    case __NR_fchownat:
    case __NR_faccessat:
    case __NR_faccessat2:
    case __NR_newfstatat:
    case __NR_statx:
    case __NR_readlinkat:
      read_path0 (e, c.args[1]);
      break;
    case __NR_rename:
    case __NR_symlink:
    case __NR_link:
      read_path0 (e, c.args[0]);
      read_path1 (e, c.args[1]);
      break;
    case __NR_renameat:
    case __NR_renameat2:
    case __NR_linkat:
      read_path0 (e, c.args[1]);
      read_path1 (e, c.args[3]);
      break;
    case __NR_symlinkat:
      read_path0 (e, c.args[0]);
      read_path1 (e, c.args[2]);
      break;
    case __NR_connect:
    case __NR_bind:
      read_addr (e, c.args[1], c.args[2]);
      break;
    case __NR_sendto:
      read_addr (e, c.args[4], c.args[5]);
      read_payload (e, c.args[1], c.args[2]);
      break;
    case __NR_write:
    case __NR_pwrite64:
      /* The head of what was written: on a socket, what it sent. */
      read_payload (e, c.args[1], (__u64) ret);
      break;
    case __NR_writev:
    case __NR_pwritev:
    case __NR_pwritev2:
      if (c.compat)
        {
          struct iovec_user32 iov32;
          if (bpf_probe_read_user (&iov32, sizeof iov32, (const void *) c.args[1]) == 0)
            read_payload (e, iov32.base, iov32.len < (__u64) ret ? iov32.len : (__u64) ret);
        }
      else
        {
          struct iovec_user iov;
          if (bpf_probe_read_user (&iov, sizeof iov, (const void *) c.args[1]) == 0)
            read_payload (e, iov.base, iov.len < (__u64) ret ? iov.len : (__u64) ret);
        }
      break;
    case __NR_sendmsg:
    case __NR_sendmmsg:
      if (c.compat)
        read_msghdr32 (e, c.args[1]);
      else
        read_msghdr (e, c.args[1]);
      break;
    default:
      break;
    }
  if (c.compat)
    e->aux |= PETRI_MON_AUX_COMPAT;
  bpf_ringbuf_submit (e, 0);
  return 0;
}
