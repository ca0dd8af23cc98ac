// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of prtop host: which processes are VMMs, VM names from
 * command lines, who manages a VM (command lines, cgroup paths and libvirt's
 * pid files as fixture files), /proc/PID/status and smaps, window deltas, the
 * exporter's sticky top-N with "other", and the JSON a window gives.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "hostmon.h"
#include "metrics.h"
#include "unit.h"

static void kinds(void)
{
	CHECK_STR(host_vmm_kind("qemu-system-x86", ""), "qemu", "host: qemu by comm");
	CHECK_STR(host_vmm_kind("renamed", "qemu-system-aarch64"), "qemu",
		  "host: qemu by executable (-name process=)");
	CHECK_STR(host_vmm_kind("qemu-kvm", NULL), "qemu", "host: qemu-kvm");
	CHECK_STR(host_vmm_kind("firecracker", ""), "firecracker", "host: firecracker");
	CHECK_STR(host_vmm_kind("cloud-hyperviso", ""), "cloud-hypervisor",
		  "host: cloud-hypervisor's comm cut at 15");
	CHECK_STR(host_vmm_kind("crosvm", ""), "crosvm", "host: crosvm");
	CHECK(!host_vmm_kind("madvloop", "madvloop"), "host: another process is no VMM");
	CHECK(!host_vmm_kind("qemu-img", "qemu-img"), "host: qemu-img is no VMM");
	CHECK(!host_vmm_kind("firecracker2", ""), "host: names match whole");
}

static void names(void)
{
	static const char a[] = "qemu-system-x86_64\0-m\0002048\0-name\0web1\0";
	static const char b[] = "qemu\0-name\0guest=db,debug-threads=on\0";
	static const char c[] = "qemu\0-name\0process=x,debug-threads=on\0";
	static const char d[] = "firecracker\0--id\0vm-7\0--api-sock\0/s\0";
	static const char e[] = "qemu\0-name\0";
	static const char f[] = "qemu\0-name\0web2,process=y\0";
	char out[64], *g;

	host_vm_name(a, sizeof(a) - 1, out, sizeof(out));
	CHECK_STR(out, "web1", "host: -name NAME");
	host_vm_name(b, sizeof(b) - 1, out, sizeof(out));
	CHECK_STR(out, "db", "host: -name guest=NAME,...");
	host_vm_name(c, sizeof(c) - 1, out, sizeof(out));
	CHECK_STR(out, "", "host: -name without a name");
	host_vm_name(d, sizeof(d) - 1, out, sizeof(out));
	CHECK_STR(out, "vm-7", "host: firecracker --id");
	host_vm_name(e, sizeof(e) - 1, out, sizeof(out));
	CHECK_STR(out, "", "host: -name as the last word");
	host_vm_name(f, sizeof(f) - 1, out, sizeof(out));
	CHECK_STR(out, "web2", "host: -name NAME,process=...");
	host_vm_name(a, 12, out, sizeof(out));
	CHECK_STR(out, "", "host: a truncated command line");
	/* cut inside the name itself, with nothing after it (the fuzzer's find) */
	g = malloc(sizeof(a) - 2);
	if (g) {
		memcpy(g, a, sizeof(a) - 2);
		host_vm_name(g, sizeof(a) - 2, out, sizeof(out));
		CHECK_STR(out, "", "host: a command line cut inside the name");
		free(g);
	}
}

/* argv as the kernel shows it in /proc/PID/cmdline: NUL after every word */
#define CMDLINE(s) s, sizeof(s) - 1

/* libvirt 9's QEMU (virsh start web1), as in /proc/PID/cmdline */
static const char libvirt_cmd[] =
	"/usr/bin/qemu-system-x86_64\0-name\0guest=web1,debug-threads=on\0-S\0-object\0"
	"{\"qom-type\":\"secret\",\"id\":\"masterKey0\",\"format\":\"raw\",\"file\":"
	"\"/var/lib/libvirt/qemu/domain-3-web1/master-key.aes\"}\0-machine\0pc-q35-7.2\0"
	"-uuid\0c7a5fdbd-cdaf-9455-926a-d65c16db1809\0-no-user-config\0-nodefaults\0";
/* KubeVirt's virt-launcher: libvirt in the pod, domain <namespace>_<name> */
static const char kubevirt_cmd[] =
	"/usr/libexec/qemu-kvm\0-name\0guest=ns1_vm1,debug-threads=on\0-S\0-object\0"
	"{\"qom-type\":\"secret\",\"id\":\"masterKey0\",\"format\":\"raw\",\"file\":"
	"\"/var/run/kubevirt-private/libvirt/qemu/lib/domain-1-ns1_vm1/master-key.aes\"}\0"
	"-uuid\0a5a2e5f4-47a5-5a4b-9b0e-f26dd2c5a0a1\0";
/* QEMU by hand with libvirt's options (tests/test_host.sh) */
static const char hand_cmd[] = "qemu-system-x86_64\0-name\0guest=ns1_vm1,debug-threads=on\0"
			       "-uuid\0 5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10\0-m\0001024\0";
static const char hand_uuid_cmd[] = "qemu-system-x86_64\0-name\0guest=ns1_vm1,debug-threads=on\0"
				    "-uuid\0005f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10\0-m\0001024\0";
/* the pod's UID 8b0e1a2c-1d3e-4f5a-9b6c-7d8e9f0a1b2c in both drivers' spellings */
static const char cg_v2_systemd[] =
	"0::/kubepods.slice/kubepods-burstable.slice/"
	"kubepods-burstable-pod8b0e1a2c_1d3e_4f5a_9b6c_7d8e9f0a1b2c.slice/"
	"cri-containerd-4f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9.scope\n";
static const char cg_v1_cgroupfs[] =
	"12:pids:/kubepods/burstable/pod8b0e1a2c-1d3e-4f5a-9b6c-7d8e9f0a1b2c/4f1b2c3d4e5f\n"
	"11:memory:/kubepods/burstable/pod8b0e1a2c-1d3e-4f5a-9b6c-7d8e9f0a1b2c/4f1b2c3d4e5f\n"
	"1:name=systemd:/kubepods/burstable/pod8b0e1a2c-1d3e-4f5a-9b6c-7d8e9f0a1b2c/4f1b2c3d4e5f\n"
	"0::/\n";
static const char cg_v1_guaranteed[] =
	"5:cpuset:/kubepods.slice/kubepods-pod8b0e1a2c_1d3e_4f5a_9b6c_7d8e9f0a1b2c.slice/"
	"crio-4f1b2c3d.scope\n";
static const char cg_libvirt[] = "0::/machine.slice/machine-qemu\\x2d1\\x2dns1_vm1.scope/libvirt/emulator\n";
#define POD_UID "8b0e1a2c-1d3e-4f5a-9b6c-7d8e9f0a1b2c"

static void check_id(const struct host_identity *id, const char *manager, const char *ns,
		     const char *name, const char *uuid, const char *pod, const char *what)
{
	CHECK_STR(id->manager, manager, "host identity: %s: manager", what);
	CHECK_STR(id->ns, ns, "host identity: %s: namespace", what);
	CHECK_STR(id->name, name, "host identity: %s: name", what);
	CHECK_STR(id->uuid, uuid, "host identity: %s: uuid", what);
	CHECK_STR(id->pod_uid, pod, "host identity: %s: pod_uid", what);
}

static void pod_uids(void)
{
	char uid[40];

	CHECK(host_pod_uid(cg_v2_systemd, uid, sizeof(uid)), "host identity: cgroup v2, systemd driver");
	CHECK_STR(uid, POD_UID, "host identity: v2 pod UID with dashes for underscores");
	CHECK(host_pod_uid(cg_v1_cgroupfs, uid, sizeof(uid)), "host identity: cgroup v1, cgroupfs driver");
	CHECK_STR(uid, POD_UID, "host identity: v1 pod UID");
	CHECK(host_pod_uid(cg_v1_guaranteed, uid, sizeof(uid)), "host identity: a guaranteed pod");
	CHECK_STR(uid, POD_UID, "host identity: guaranteed pod UID");
	CHECK(host_pod_uid("0::/../../kubepods/besteffort/pod" POD_UID "/abc\n", uid, sizeof(uid)),
	      "host identity: a path seen from another cgroup namespace");
	CHECK(!host_pod_uid(cg_libvirt, uid, sizeof(uid)) && !uid[0],
	      "host identity: libvirt's machine.slice is no pod");
	CHECK(!host_pod_uid("0::/kubepods.slice/kubepods-burstable.slice\n", uid, sizeof(uid)),
	      "host identity: kubepods without a pod");
	CHECK(!host_pod_uid("0::/user.slice/pod" POD_UID "\n", uid, sizeof(uid)),
	      "host identity: a pod-like name outside kubepods");
	CHECK(!host_pod_uid("0::/kubepods/burstable/podnot-a-uid\n", uid, sizeof(uid)),
	      "host identity: a pod component without a UID");
	CHECK(!host_pod_uid("0::/kubepods/burstable/pod" POD_UID "0/x\n", uid, sizeof(uid)),
	      "host identity: a UID one character too long");
	CHECK(!host_pod_uid("", uid, sizeof(uid)), "host identity: an empty cgroup file");
}

static void identities(void)
{
	static const char fc[] = "firecracker\0--api-sock\0/run/fc.sock\0--id\0fc-vm-1\0";
	static const char ch1[] = "cloud-hypervisor\0--api-socket\0path=/run/ch/chvm2.sock\0"
				  "--kernel\0/k\0";
	static const char ch2[] = "cloud-hypervisor\0--api-socket=/tmp/ch-a.socket\0";
	static const char ch3[] = "cloud-hypervisor\0--api-socket\0fd=3\0";
	static const char bad_uuid[] = "qemu\0-name\0web3\0-uuid\0not-a-uuid\0";
	static const char upper_ns[] = "qemu\0-name\0guest=NS_vm,debug-threads=on\0";
	struct host_identity id;

	host_identity_parse(&id, "qemu", CMDLINE(libvirt_cmd), cg_libvirt, false);
	check_id(&id, "libvirt", "", "web1", "c7a5fdbd-cdaf-9455-926a-d65c16db1809", "",
		 "libvirt by its domain directory");
	host_identity_parse(&id, "qemu", CMDLINE(kubevirt_cmd), cg_v2_systemd, false);
	check_id(&id, "kubevirt", "ns1", "vm1", "a5a2e5f4-47a5-5a4b-9b0e-f26dd2c5a0a1", POD_UID,
		 "KubeVirt, cgroup v2");
	host_identity_parse(&id, "qemu", CMDLINE(kubevirt_cmd), cg_v1_cgroupfs, false);
	check_id(&id, "kubevirt", "ns1", "vm1", "a5a2e5f4-47a5-5a4b-9b0e-f26dd2c5a0a1", POD_UID,
		 "KubeVirt, cgroup v1");
	host_identity_parse(&id, "qemu", CMDLINE(kubevirt_cmd), cg_libvirt, false);
	check_id(&id, "libvirt", "", "ns1_vm1", "a5a2e5f4-47a5-5a4b-9b0e-f26dd2c5a0a1", "",
		 "ns_name without a pod stays libvirt");
	host_identity_parse(&id, "qemu", CMDLINE(kubevirt_cmd), NULL, false);
	check_id(&id, "libvirt", "", "ns1_vm1", "a5a2e5f4-47a5-5a4b-9b0e-f26dd2c5a0a1", "",
		 "cgroup unreadable");
	host_identity_parse(&id, "qemu", CMDLINE(hand_uuid_cmd), NULL, false);
	check_id(&id, "qemu", "", "ns1_vm1", "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10", "",
		 "QEMU by hand");
	host_identity_parse(&id, "qemu", CMDLINE(hand_uuid_cmd), NULL, true);
	check_id(&id, "libvirt", "", "ns1_vm1", "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10", "",
		 "libvirt by its pid file");
	host_identity_parse(&id, "qemu", CMDLINE(hand_cmd), NULL, false);
	CHECK_STR(id.uuid, "", "host identity: a -uuid that is no UUID (leading space) is unknown");
	host_identity_parse(&id, "qemu", CMDLINE(bad_uuid), NULL, false);
	check_id(&id, "qemu", "", "web3", "", "", "-uuid not-a-uuid");
	host_identity_parse(&id, "qemu", CMDLINE(upper_ns), cg_v2_systemd, false);
	check_id(&id, "qemu", "", "NS_vm", "", POD_UID, "no DNS label before _: no namespace");
	host_identity_parse(&id, "firecracker", CMDLINE(fc), cg_v1_cgroupfs, false);
	check_id(&id, "firecracker", "", "fc-vm-1", "", POD_UID, "Firecracker --id");
	host_identity_parse(&id, "cloud-hypervisor", CMDLINE(ch1), NULL, false);
	check_id(&id, "cloud-hypervisor", "", "chvm2", "", "", "Cloud Hypervisor path=");
	host_identity_parse(&id, "cloud-hypervisor", CMDLINE(ch2), NULL, false);
	check_id(&id, "cloud-hypervisor", "", "ch-a", "", "", "Cloud Hypervisor --api-socket=");
	host_identity_parse(&id, "cloud-hypervisor", CMDLINE(ch3), NULL, false);
	check_id(&id, "cloud-hypervisor", "", "", "", "", "Cloud Hypervisor fd=");
	host_identity_parse(&id, NULL, CMDLINE(libvirt_cmd), cg_v2_systemd, false);
	check_id(&id, "", "", "", "", POD_UID, "not a VMM (--pid): no manager");
	host_identity_parse(&id, "qemu", libvirt_cmd, 20, NULL, false);
	check_id(&id, "qemu", "", "", "", "", "a truncated command line");
}

/* the reader through fixture files: PROC/PID/cgroup and RUN/NAME.pid */
static void identity_files(void)
{
	const char *base = unit_tmpdir();
	char proc[4200], piddir[4300], run[4200];
	struct host_identity id;

	if (!base)
		return;
	snprintf(proc, sizeof(proc), "%s/proc", base);
	snprintf(piddir, sizeof(piddir), "%s/4242", proc);
	snprintf(run, sizeof(run), "%s/run-libvirt-qemu", base);
	mkdir(proc, 0755);
	mkdir(piddir, 0755);
	mkdir(run, 0755);
	host_identity_read(&id, proc, run, 4242, "qemu", CMDLINE(hand_uuid_cmd));
	check_id(&id, "qemu", "", "ns1_vm1", "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10", "",
		 "files: no cgroup file, no pid file");
	unit_write_file(run, "ns1_vm1.pid", "4243\n", 5);
	host_identity_read(&id, proc, run, 4242, "qemu", CMDLINE(hand_uuid_cmd));
	CHECK_STR(id.manager, "qemu", "host identity: files: a pid file of another pid");
	unit_write_file(run, "ns1_vm1.pid", "4242\n", 5);
	host_identity_read(&id, proc, run, 4242, "qemu", CMDLINE(hand_uuid_cmd));
	CHECK_STR(id.manager, "libvirt", "host identity: files: libvirt's pid file holds the pid");
	unit_write_file(piddir, "cgroup", cg_v2_systemd, sizeof(cg_v2_systemd) - 1);
	host_identity_read(&id, proc, run, 4242, "qemu", CMDLINE(hand_uuid_cmd));
	check_id(&id, "kubevirt", "ns1", "vm1", "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10", POD_UID,
		 "files: pid file and a pod cgroup");
	unit_write_file(piddir, "cgroup", cg_libvirt, sizeof(cg_libvirt) - 1);
	host_identity_read(&id, proc, run, 4242, "qemu", CMDLINE(hand_uuid_cmd));
	check_id(&id, "libvirt", "", "ns1_vm1", "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10", "",
		 "files: libvirt's machine.slice cgroup");
	host_identity_read(&id, proc, run, 4242, "firecracker",
			   CMDLINE("firecracker\0--id\0fc1\0"));
	check_id(&id, "firecracker", "", "fc1", "", "", "files: Firecracker");
}

static void status(void)
{
	const char *t = "Name:\tqemu\nVmPeak:\t1 kB\nVmRSS:\t  1048576 kB\nRssAnon:\t1000000 kB\n"
			"RssFile:\t48576 kB\nRssShmem:\t0 kB\n";
	uint64_t rss, anon, file, shmem;

	CHECK(host_parse_status(t, &rss, &anon, &file, &shmem), "host: status parsed");
	CHECK_U64(rss, 1048576, "host: VmRSS");
	CHECK_U64(anon, 1000000, "host: RssAnon");
	CHECK_U64(file, 48576, "host: RssFile");
	CHECK(!host_parse_status("Name:\tkthreadd\n", &rss, &anon, &file, &shmem),
	      "host: no VmRSS (kernel thread) is unknown");
}

static void smaps(void)
{
	const char *q = "55d0-55e0 rw-p 00000000 00:00 0 [heap]\n"
			"Size: 64 kB\nVmFlags: rd wr mr mw me ac\n"
			"7f0000000000-7f0040000000 rw-p 00000000 00:00 0\n"
			"Size: 1048576 kB\nVmFlags: rd wr mr mw me dc ac hg mg\n"
			"7f0040000000-7f0080000000 rw-p 00000000 00:00 0\n"
			"VmFlags: rd wr mr mw me dc ac hg mg\n"
			"7f1000000000-7f1040000000 rwxp 00000000 00:00 0\n"
			"VmFlags: rd wr ex mr mw me ac hg\n";
	const char *other = "1000-2000 rw-p 00000000 00:00 0\nVmFlags: rd wr\n"
			    "7f0000000000-7f0010000000 rw-s 00000000 00:05 3 /memfd:ram (deleted)\n"
			    "VmFlags: rd wr sh mr mw me ms\n"
			    "7f2000000000-7f2001000000 rw-p 00000000 00:00 0\nVmFlags: rd wr\n";
	struct host_ram r;
	uint64_t bytes;

	CHECK_STR(host_parse_ram(q, &r, &bytes), "dontfork", "host: QEMU's RAM by MADV_DONTFORK");
	CHECK(r.n == 1 && r.start[0] == 0x7f0000000000ULL && r.end[0] == 0x7f0080000000ULL,
	      "host: two adjacent RAM mappings merge (n %u)", r.n);
	CHECK_U64(bytes, 2ULL << 30, "host: RAM bytes");
	CHECK_STR(host_parse_ram(other, &r, &bytes), "size", "host: RAM by size without dontfork");
	CHECK(r.n == 1 && bytes == 256ULL << 20, "host: only the 256 MiB mapping is RAM");
	CHECK(!host_parse_ram("1000-2000 rw-p 0 00:00 0\nVmFlags: rd wr\n", &r, &bytes) && !r.n,
	      "host: no RAM found is unknown");
	/* QEMU by its VMAs even before its RAM shows (and while TCG's buffer looks like RAM) */
	CHECK(host_ram_rule("qemu", NULL) == HOST_RAM_BY_DONTFORK, "host: QEMU judged by dontfork at once");
	CHECK(host_ram_rule("qemu", "size") == HOST_RAM_BY_DONTFORK, "host: QEMU judged by dontfork over size");
	CHECK(host_ram_rule("firecracker", "size") == HOST_RAM_BY_RANGES, "host: a VMM without dontfork by ranges");
	CHECK(host_ram_rule("firecracker", NULL) == HOST_RAM_BY_RANGES, "host: RAM unknown: by ranges (all count)");
	CHECK(host_ram_rule("crosvm", "dontfork") == HOST_RAM_BY_DONTFORK, "host: any VMM marking dontfork by it");
}

static struct host_snap *snap(int n)
{
	struct host_snap *s = calloc(1, sizeof(*s));
	int i;

	s->nvms = n;
	for (i = 0; i < n; i++) {
		s->vm[i].pid = 100 + i;
		s->vm[i].start_ticks = 7;
		s->vm[i].alive = true;
		snprintf(s->vm[i].name, sizeof(s->vm[i].name), "vm%d", i);
		snprintf(s->vm[i].vmm, sizeof(s->vm[i].vmm), "qemu");
		s->vm[i].st.bytes[HOST_M_DONTNEED] = (uint64_t)(i + 1) << 20;
		s->vm[i].st.calls[HOST_M_DONTNEED] = i + 1;
		s->vm[i].rss_known = true;
		s->vm[i].rss_kib = 1024;
	}
	s->probe[HP_MADVISE].attached = true;
	s->probe[HP_FALLOCATE].attached = true;
	s->probe[HP_PAGEMAP].attached = true;
	return s;
}

static void delta(void)
{
	struct host_snap *a = snap(2), *b = snap(2);
	struct host_vm_delta d;

	b->vm[1].st.bytes[HOST_M_DONTNEED] += 4 << 20;
	b->vm[1].st.bytes[HOST_M_PUNCH] += 2 << 20;
	b->vm[1].st.calls[HOST_M_DONTNEED] += 2;
	a->vm[1].refaulted_bytes = 4096;
	b->vm[1].refaulted_bytes = 12288;
	b->vm[1].rss_kib = 512;
	host_delta(&d, &b->vm[1], a, 1.0);
	CHECK_U64(d.discarded_bytes, 6 << 20, "host: window discards, every method");
	CHECK_U64(d.discard_calls, 2, "host: window calls");
	CHECK_U64(d.refaulted_bytes, 8192, "host: window refaults");
	CHECK(d.rss_change_known && d.rss_change_kib == -512, "host: RSS change");
	b->vm[1].start_ticks = 8; /* the pid is another process now */
	host_delta(&d, &b->vm[1], a, 1.0);
	CHECK(!d.prev && !d.rss_change_known, "host: a reused pid starts a new window");
	CHECK_U64(host_age_slot(0), 0, "host: age slot of 0 ms");
	CHECK_U64(host_age_slot(1), 1, "host: age slot of 1 ms");
	CHECK_U64(host_age_slot(1000), 10, "host: age slot of 1 s (< 1024 ms)");
	CHECK_U64(host_age_slot(~0ULL), HOST_AGE_SLOTS - 1, "host: age slot of forever");
	free(a);
	free(b);
}

static void top_n(void)
{
	struct host_snap *s = snap(4);
	struct host_sel sel = {.top = 2};
	struct metrics_opts mo = {.version = "t"};
	struct mbuf b = {0};

	host_select(&sel, s);
	CHECK(sel.n == 2 && sel.in[0].pid == 103 && sel.in[1].pid == 102,
	      "host: top 2 by activity");
	s->vm[0].st.bytes[HOST_M_DONTNEED] = 1ULL << 40;
	host_select(&sel, s);
	CHECK(sel.n == 2 && sel.in[0].pid == 103 && sel.in[1].pid == 102,
	      "host: labels are sticky while their VMs live");
	s->vm[3].alive = false;
	host_select(&sel, s);
	CHECK(sel.n == 2 && sel.in[0].pid == 102 && sel.in[1].pid == 100,
	      "host: an exited VM's place goes to the most active other");
	CHECK(!host_metrics_render(&b, s, &sel, &mo), "host: metrics rendered");
	CHECK(b.data && strstr(b.data, "prtop_host_discarded_bytes_total{vm=\"vm0\",pid=\"100\","
				       "method=\"dontneed\"} 1099511627776"),
	      "host: a labelled VM's counter");
	/* vm0's 1 TiB stays in "other", which counted it before vm0 got a label */
	CHECK(b.data && strstr(b.data, "prtop_host_discarded_bytes_total{vm=\"other\",pid=\"\","
				       "method=\"dontneed\"} 1099513724928"),
	      "host: the rest summed as other (vm1, and vm0 until labelled: never down)");
	CHECK(b.data &&
		  strstr(b.data, "prtop_host_discard_size_bytes_bucket{vm=\"vm0\",pid=\"100\","
				 "le=\"+Inf\"}"),
	      "host: size histogram ends at +Inf");
	CHECK(b.data && strstr(b.data, "prtop_host_vms{labelled=\"no\"} 1"), "host: vms gauge");
	mbuf_free(&b);
	s->probe[HP_PAGEMAP].attached = false;
	CHECK(!host_metrics_render(&b, s, &sel, &mo), "host: metrics rendered without pagemap");
	CHECK(b.data && !strstr(b.data, "prtop_host_refaulted_bytes_total"),
	      "host: refaults absent when they cannot be told");
	mbuf_free(&b);
	free(s);
}

static void json(void)
{
	struct host_snap *a = snap(1), *b = snap(1);
	struct json_object *o, *v, *w, *x;

	b->mono_ns = a->mono_ns + 2000000000ULL;
	b->vm[0].st.bytes[HOST_M_DONTNEED] += 4 << 20;
	b->vm[0].rss_known = false;
	o = host_json(b, a);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	CHECK(v && json_object_get_uint64(json_object_object_get(v, "discarded_bytes")) == 5 << 20,
	      "host json: discarded_bytes cumulative");
	CHECK(v && json_object_object_get_ex(v, "rss_bytes", &x) && !x,
	      "host json: unknown RSS is null");
	w = v ? json_object_object_get(v, "window") : NULL;
	CHECK(w && json_object_get_uint64(json_object_object_get(w, "discarded_bytes")) == 4 << 20,
	      "host json: window discards");
	CHECK(w && json_object_object_get_ex(w, "rss_change_bytes", &x) && !x,
	      "host json: unknown RSS change is null");
	json_object_put(o);
	b->probe[HP_PAGEMAP].attached = false;
	o = host_json(b, NULL);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	CHECK(v && json_object_object_get_ex(v, "refaulted_bytes", &x) && !x,
	      "host json: refaults null without a fault probe");
	w = v ? json_object_object_get(v, "window") : NULL;
	CHECK(w && json_object_object_get_ex(w, "discarded_bytes", &x) && !x,
	      "host json: no window before a second sample");
	json_object_put(o);
	free(a);
	free(b);
}

#define HOST_LABELS_TEST 300

/* the value of the /metrics sample named exactly series, or "(missing)" */
static const char *sample(const char *text, const char *series)
{
	static char val[64];
	size_t n = strlen(series);
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');

		if (!strncmp(p, series, n) && p[n] == ' ') {
			size_t len = e ? (size_t)(e - p - n - 1) : strlen(p + n + 1);

			snprintf(val, sizeof(val), "%.*s", (int)len, p + n + 1);
			return val;
		}
		p = e ? e + 1 : NULL;
	}
	return "(missing)";
}

/*
 * The discard size histogram from known discards: a VM that made three
 * 2 MiB and two 4 MiB MADV_DONTNEED calls.  include/host.h: slot i counts
 * calls above 2^(11+i) up to 2^(12+i) bytes, so 2 MiB = 2^21 is slot 9
 * and 4 MiB slot 10.  Every bucket le=2^(12+i): 0 below 2 MiB, 3 at
 * 2 MiB, 5 from 4 MiB on; _count 5, _sum 14 MiB.
 */
static void size_hist(void)
{
	struct host_snap *s = snap(1);
	struct host_sel sel = {.top = 1};
	struct metrics_opts mo = {.version = "t"};
	struct mbuf b = {0};
	char series[160], want[32], json_key[32];
	struct json_object *o, *v, *sz = NULL, *x;
	bool every = true;
	int i;

	s->vm[0].st.bytes[HOST_M_DONTNEED] = 3 * (2ULL << 20) + 2 * (4ULL << 20);
	s->vm[0].st.calls[HOST_M_DONTNEED] = 5;
	s->vm[0].st.size_hist[9] = 3;
	s->vm[0].st.size_hist[10] = 2;
	s->vm[0].rss_kib = 262144; /* 256 MiB */
	host_select(&sel, s);
	if (!CHECK(!host_metrics_render(&b, s, &sel, &mo) && b.data,
		   "host: metrics of 3 x 2 MiB + 2 x 4 MiB discards rendered")) {
		free(s);
		return;
	}
	for (i = 0; i < HOST_SIZE_SLOTS; i++) {
		unsigned long long le = 1ULL << (12 + i);
		const char *got;

		if (i == HOST_SIZE_SLOTS - 1)
			snprintf(series, sizeof(series),
				 "prtop_host_discard_size_bytes_bucket{vm=\"vm0\",pid=\"100\","
				 "le=\"+Inf\"}");
		else
			snprintf(series, sizeof(series),
				 "prtop_host_discard_size_bytes_bucket{vm=\"vm0\",pid=\"100\","
				 "le=\"%llu\"}",
				 le);
		snprintf(want, sizeof(want), "%d", le < 2ULL << 20 ? 0 : le < 4ULL << 20 ? 3 : 5);
		got = sample(b.data, series);
		if (strcmp(got, want)) {
			every = false;
			CHECK_STR(got, want, "host: discard size bucket le=%llu", le);
		}
	}
	CHECK(every, "host: every discard size bucket: 0 below 2 MiB, 3 at le=2097152, "
		     "5 from le=4194304 to +Inf");
	CHECK_STR(sample(b.data, "prtop_host_discard_size_bytes_bucket{vm=\"vm0\",pid=\"100\","
				 "le=\"2097152\"}"),
		  "3", "host: le=2097152 holds the three 2 MiB discards");
	CHECK_STR(sample(b.data, "prtop_host_discard_size_bytes_bucket{vm=\"vm0\",pid=\"100\","
				 "le=\"1048576\"}"),
		  "0", "host: le=1048576 holds none of them");
	CHECK_STR(sample(b.data, "prtop_host_discard_size_bytes_count{vm=\"vm0\",pid=\"100\"}"),
		  "5", "host: discard size _count = 5 calls");
	CHECK_STR(sample(b.data, "prtop_host_discard_size_bytes_sum{vm=\"vm0\",pid=\"100\"}"),
		  "14680064", "host: discard size _sum = 14 MiB in bytes");
	CHECK_STR(sample(b.data, "prtop_host_discarded_bytes_total{vm=\"vm0\",pid=\"100\","
				 "method=\"dontneed\"}"),
		  "14680064", "host: discarded bytes = the same 14 MiB");
	CHECK_STR(sample(b.data, "prtop_host_rss_bytes{vm=\"vm0\",pid=\"100\"}"), "268435456",
		  "host: rss_bytes = VmRSS 262144 kB x 1024");
	mbuf_free(&b);

	/* host JSON: the same buckets, non-cumulative, by their upper bound */
	o = host_json(s, NULL);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	json_object_object_get_ex(v, "discard_size_le_bytes", &sz);
	snprintf(json_key, sizeof(json_key), "%llu", 2ULL << 20);
	CHECK(sz && json_object_object_get_ex(sz, json_key, &x) && json_object_get_int64(x) == 3,
	      "host json: discard_size_le_bytes[2097152] = 3");
	snprintf(json_key, sizeof(json_key), "%llu", 4ULL << 20);
	CHECK(sz && json_object_object_get_ex(sz, json_key, &x) && json_object_get_int64(x) == 2,
	      "host json: discard_size_le_bytes[4194304] = 2");
	CHECK(sz && json_object_object_length(sz) == 2, "host json: no other size bucket");
	CHECK(v && json_object_object_get_ex(v, "rss_bytes", &x) &&
		  json_object_get_int64(x) == 268435456,
	      "host json: rss_bytes = 262144 kB x 1024");
	json_object_put(o);
	free(s);
}

/* the identity in the exporter's labels (escaped) and in the JSON (null where unknown) */
static void identity_out(void)
{
	struct host_snap *s = snap(2);
	struct host_sel sel = {.top = 2};
	struct metrics_opts mo = {.version = "t"};
	struct mbuf b = {0};
	struct json_object *o, *v, *id, *x;

	snprintf(s->vm[0].id.manager, sizeof(s->vm[0].id.manager), "kubevirt");
	snprintf(s->vm[0].id.ns, sizeof(s->vm[0].id.ns), "ns1");
	snprintf(s->vm[0].id.name, sizeof(s->vm[0].id.name), "vm1");
	snprintf(s->vm[0].id.uuid, sizeof(s->vm[0].id.uuid), "5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10");
	snprintf(s->vm[0].id.pod_uid, sizeof(s->vm[0].id.pod_uid), POD_UID);
	snprintf(s->vm[1].id.manager, sizeof(s->vm[1].id.manager), "qemu");
	snprintf(s->vm[1].id.name, sizeof(s->vm[1].id.name), "a\"b\\c\nd");
	host_select(&sel, s);
	CHECK(!host_metrics_render(&b, s, &sel, &mo), "host identity: metrics rendered");
	CHECK(b.data && strstr(b.data, "prtop_host_discarded_bytes_total{vm=\"vm0\",pid=\"100\","
				       "namespace=\"ns1\",name=\"vm1\",uuid=\"5f0c1d1e-3b7a-4c55-"
				       "9a51-2d4c3e8b9f10\",method=\"dontneed\"} 1048576"),
	      "host identity: namespace, name, uuid labels on a VM's counter");
	CHECK(b.data && strstr(b.data, "prtop_host_rss_bytes{vm=\"vm1\",pid=\"101\","
				       "name=\"a\\\"b\\\\c\\nd\"} 1048576"),
	      "host identity: a name escaped, no namespace or uuid label when unknown");
	CHECK(b.data && strstr(b.data, "prtop_host_vm_info{vm=\"vm0\",pid=\"100\",namespace=\"ns1\","),
	      "host identity: on the info series too");
	mbuf_free(&b);
	o = host_json(s, NULL);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	id = v ? json_object_object_get(v, "identity") : NULL;
	CHECK_STR(id ? json_object_get_string(json_object_object_get(id, "manager")) : "", "kubevirt",
		  "host identity json: manager");
	CHECK_STR(id ? json_object_get_string(json_object_object_get(id, "namespace")) : "", "ns1",
		  "host identity json: namespace");
	CHECK_STR(id ? json_object_get_string(json_object_object_get(id, "pod_uid")) : "", POD_UID,
		  "host identity json: pod_uid");
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 1);
	id = v ? json_object_object_get(v, "identity") : NULL;
	CHECK(id && json_object_object_get_ex(id, "namespace", &x) && !x &&
		  json_object_object_get_ex(id, "uuid", &x) && !x &&
		  json_object_object_get_ex(id, "pod_uid", &x) && !x,
	      "host identity json: unknown namespace, uuid, pod_uid are null");
	json_object_put(o);
	free(s);
}

/* libvirt's memory statistics: the three figures, and manager_stats in the JSON */
static void manager_stats(void)
{
	/* some of virsh dommemstat's figures of a guest with balloon stats, KiB */
	const int tags[] = {3, 6, 8, 9, 7};
	const unsigned long long vals[] = {17268, 2097152, 1866424, 1796269345, 301748};
	struct host_manager_stats ms;
	struct host_snap *s = snap(2);
	struct host_sel sel = {.top = 2};
	struct metrics_opts mo = {.version = "t"};
	struct mbuf b = {0};
	struct json_object *o, *v, *m, *x;

	host_manager_stats_parse(&ms, tags, vals, 5);
	CHECK(ms.known && ms.actual_kib == 2097152 && ms.rss_kib == 301748 &&
		  ms.usable_kib == 1866424,
	      "host manager stats: actual, rss, usable by their tags, wherever they come");
	/* a paused domain, no balloon driver yet: actual and rss only */
	host_manager_stats_parse(&ms, tags + 1, vals + 1, 1);
	CHECK(ms.known && ms.actual_kib == 2097152 && ms.rss_kib == -1 && ms.usable_kib == -1,
	      "host manager stats: what libvirt does not give is -1");
	s->vm[0].ms = ms;
	s->vm[0].ms.rss_kib = 1024;
	snprintf(s->vm[0].id.manager, sizeof(s->vm[0].id.manager), "libvirt");
	o = host_json(s, NULL);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	m = v ? json_object_object_get(v, "manager_stats") : NULL;
	CHECK(m && json_object_object_get_ex(m, "actual_bytes", &x) &&
		  json_object_get_int64(x) == 2097152LL * 1024 &&
		  json_object_object_get_ex(m, "rss_bytes", &x) &&
		  json_object_get_int64(x) == 1048576 &&
		  json_object_object_get_ex(m, "usable_bytes", &x) && !x,
	      "host manager stats json: bytes, null where libvirt gave none");
	CHECK_STR(m ? json_object_get_string(json_object_object_get(m, "source")) : "", "libvirt",
		  "host manager stats json: its source is the VM's manager");
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 1);
	CHECK(v && json_object_object_get_ex(v, "manager_stats", &x) && !x,
	      "host manager stats json: null for a VM no manager answered for");
	json_object_put(o);
	host_select(&sel, s);
	CHECK(!host_metrics_render(&b, s, &sel, &mo), "host manager stats: metrics rendered");
	CHECK(b.data &&
		  strstr(b.data, "prtop_host_manager_memory_bytes{vm=\"vm0\",pid=\"100\","
				 "stat=\"actual\"} 2147483648\n") &&
		  strstr(b.data, "prtop_host_manager_memory_bytes{vm=\"vm0\",pid=\"100\","
				 "stat=\"rss\"} 1048576\n"),
	      "host manager stats export: actual and rss in bytes");
	CHECK(b.data && !strstr(b.data, "stat=\"usable\"") &&
		  !strstr(b.data, "vm=\"vm1\",pid=\"101\",stat"),
	      "host manager stats export: no series where the manager gave nothing");
	mbuf_free(&b);
	s->vm[0].ms.known = false;
	host_select(&sel, s);
	CHECK(!host_metrics_render(&b, s, &sel, &mo) && b.data &&
		  !strstr(b.data, "prtop_host_manager_memory_bytes"),
	      "host manager stats export: no family without a manager's answer");
	mbuf_free(&b);
	free(s);
}

/*
 * Every counter sample of vm="other" in before is in after, not lower: a
 * decrease is a counter reset to Prometheus.  The gauge (RSS) may fall.
 * Returns how many broke the rule; names the first in why.
 */
static int other_went_down(const char *before, const char *after, char *why, size_t len)
{
	const char *p = before;
	int bad = 0;

	while (p && *p) {
		const char *e = strchr(p, '\n'), *sp;
		char series[HOST_LABELS_TEST];
		size_t n = e ? (size_t)(e - p) : strlen(p);

		sp = memchr(p, ' ', n);
		if (p[0] != '#' && sp && (size_t)(sp - p) < sizeof(series) &&
		    memmem(p, (size_t)(sp - p), "vm=\"other\"", strlen("vm=\"other\"")) &&
		    strncmp(p, "prtop_host_rss_bytes", 20)) {
			const char *got;

			snprintf(series, sizeof(series), "%.*s", (int)(sp - p), p);
			got = sample(after, series);
			if (!strcmp(got, "(missing)") || strtod(got, NULL) < strtod(sp + 1, NULL)) {
				if (!bad++)
					snprintf(why, len, "%s: %.*s then %s", series,
						 (int)(n - (size_t)(sp - p) - 1), sp + 1, got);
			}
		}
		p = e ? e + 1 : NULL;
	}
	return bad;
}

static void check_monotonic(const char *before, const char *after, const char *when)
{
	char why[1024] = "";
	int bad = other_went_down(before, after, why, sizeof(why));

	if (bad)
		CHECK(false, "host other: no series lower %s (%d lower or missing, first %s)", when,
		      bad, why);
	else
		CHECK(true, "host other: no series lower %s", when);
}

static char *render(const struct host_snap *s, const struct host_sel *sel)
{
	struct metrics_opts mo = {.version = "t"};
	struct mbuf b = {0};

	if (host_metrics_render(&b, s, sel, &mo) || !b.data) {
		mbuf_free(&b);
		return strdup("");
	}
	return b.data; /* the caller frees */
}

static void grow(struct host_vm *v, uint64_t mib)
{
	v->st.bytes[HOST_M_DONTNEED] += mib << 20;
	v->st.calls[HOST_M_DONTNEED] += mib;
	v->st.size_hist[9] += mib;
	v->st.failed++;
	v->st.other_bytes += 4096;
	v->st.chunks_untracked++;
	v->refaulted_bytes += 8192;
	v->age_hist[3] += 8192;
	v->age_sum_ms_x_pages += 2 * 5;
}

/*
 * vm="other" never goes down (top 2 of vm0..vm3 with 1..4 MiB: vm3 and vm2
 * labelled, vm0 and vm1 in "other", 3 MiB):
 *  1. vm1 exits after one more MiB, vm0 adds one: other 3 + 1 + 1 = 5 MiB
 *  2. labelled vm3 exits: its series end (not moved into "other", which
 *     would count them twice); vm0, one more MiB, takes its place: "other"
 *     keeps the 6 MiB it counted and is still served with no VM left in it;
 *     vm0's series are its own counters (3 MiB), as the JSON's
 *  3. vm0 adds one: its series 4 MiB, "other" still 6
 *  4. vm4 comes with 7 MiB, no place free: "other" 6 + 7 = 13 MiB
 * and across every step no sample of "other" (bytes, calls, failures, size
 * and age histograms, refaults) is lower than before.
 */
static void other_monotonic(void)
{
	struct host_snap *s = snap(5);
	struct host_sel *sel = calloc(1, sizeof(*sel));
	char *before, *after;
	const char *dn =
	    "prtop_host_discarded_bytes_total{vm=\"other\",pid=\"\",method=\"dontneed\"}";
	const char *vm0 =
	    "prtop_host_discarded_bytes_total{vm=\"vm0\",pid=\"100\",method=\"dontneed\"}";
	int i;

	s->nvms = 4; /* vm4 comes later */
	for (i = 0; i < 5; i++) {
		s->vm[i].st.bytes[HOST_M_DONTNEED] = 0;
		s->vm[i].st.calls[HOST_M_DONTNEED] = 0;
		grow(&s->vm[i], (uint64_t)i + 1);
	}
	sel->top = 2;
	host_select(sel, s);
	before = render(s, sel);
	CHECK_STR(sample(before, dn), "3145728", "host other: vm0 and vm1, 3 MiB");

	grow(&s->vm[1], 1);
	s->vm[1].alive = false; /* its last sample */
	grow(&s->vm[0], 1);
	host_select(sel, s);
	after = render(s, sel);
	CHECK_STR(sample(after, dn), "5242880", "host other: keeps an exited VM's share, 5 MiB");
	check_monotonic(before, after, "after a VM in it exited");
	free(before);
	before = after;

	s->vm[3].alive = false;
	grow(&s->vm[0], 1);
	host_select(sel, s);
	after = render(s, sel);
	CHECK(sel->n == 2 && host_selected(sel, &s->vm[0]),
	      "host other: vm0 labelled in vm3's place");
	CHECK_STR(sample(after, dn), "6291456",
		  "host other: keeps what it counted of a VM given a label, 6 MiB");
	CHECK_STR(sample(after, vm0), "3145728", "host other: vm0's series are its own, 3 MiB");
	CHECK(!strstr(after, "vm=\"vm3\""), "host other: an exited labelled VM's series end");
	check_monotonic(before, after, "after one of its VMs got a label");
	free(before);
	before = after;

	grow(&s->vm[0], 1);
	host_select(sel, s);
	after = render(s, sel);
	CHECK_STR(sample(after, vm0), "4194304", "host other: vm0 grows in its own series");
	CHECK_STR(sample(after, dn), "6291456", "host other: not in other's");
	check_monotonic(before, after, "with no VM left in it");
	free(before);
	before = after;

	s->nvms = 5;
	grow(&s->vm[4], 2); /* 7 MiB in all */
	host_select(sel, s);
	after = render(s, sel);
	CHECK_STR(sample(after, dn), "13631488",
		  "host other: a VM new to it adds all it did, 13 MiB");
	check_monotonic(before, after, "when a VM joins it");
	free(before);
	free(after);
	free(sel);
	free(s);
}

/*
 * The kernel's page size (include/host.h), 4, 16 and 64 KiB: madvise rounds
 * a length up to whole pages, a 2 MiB chunk holds 512, 128 or 32 of them,
 * its pagemap entries (8 bytes a page) start at chunk x 2 MiB / page x 8,
 * and a page found back is that many bytes.  The age histogram observes
 * 4 KiB at a time whatever the page: 3 pages back after 1.5 s are 3 x
 * page / 4 KiB observations and 1.5 s each in _sum.
 */
static void page_sizes(void)
{
	static const struct {
		uint32_t shift, chunk_pages;
		uint64_t page;
	} ps[] = {{12, 512, 4096}, {14, 128, 16384}, {16, 32, 65536}};
	const uint64_t present = 1ULL << 63, exclusive = 1ULL << 56;
	unsigned i;

	for (i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		uint64_t page = ps[i].page, kib = page / 1024, pm[HOST_CHUNK_PAGES] = {0}, left = 0;
		__u64 bits[HOST_CHUNK_WORDS] = {0};
		uint32_t n = ps[i].chunk_pages, k;
		struct host_snap *s = snap(1);
		struct host_sel sel = {.top = 1};
		struct metrics_opts mo = {.version = "t"};
		struct mbuf b = {0};
		char want[64];

		CHECK_U64(host_page_round(1, ps[i].shift), page,
			  "host: %llu KiB pages: madvise of 1 byte discards a page",
			  (unsigned long long)kib);
		CHECK_U64(host_page_round(4096, ps[i].shift), page,
			  "host: %llu KiB pages: madvise of 4 KiB discards a page",
			  (unsigned long long)kib);
		CHECK_U64(host_page_round(2 * page, ps[i].shift), 2 * page,
			  "host: %llu KiB pages: whole pages stay as they are",
			  (unsigned long long)kib);
		CHECK_U64(host_page_round(2 * page + 1, ps[i].shift), 3 * page,
			  "host: %llu KiB pages: one byte more is one page more",
			  (unsigned long long)kib);
		CHECK_U64(host_chunk_pages(ps[i].shift), n, "host: %llu KiB pages: %u in 2 MiB",
			  (unsigned long long)kib, n);
		CHECK_U64(host_pagemap_off(3, ps[i].shift), 3ULL * n * 8,
			  "host: %llu KiB pages: chunk 3's pagemap entries at 3 x %u x 8",
			  (unsigned long long)kib, n);

		/* every page discarded; back: every 4th (present, ours), not the
		 * shared ones (every 4th + 1) nor the absent */
		for (k = 0; k < n; k++) {
			bits[k / 64] |= 1ULL << (k % 64);
			pm[k] = k % 4 == 0 ? present | exclusive : k % 4 == 1 ? present : 0;
		}
		CHECK_U64(host_chunk_back(bits, pm, n), n / 4,
			  "host: %llu KiB pages: a quarter of the chunk's pages back",
			  (unsigned long long)kib);
		for (k = 0; k < HOST_CHUNK_WORDS; k++)
			left += (uint64_t)__builtin_popcountll(bits[k]);
		CHECK_U64(left, n - n / 4, "host: %llu KiB pages: the others still discarded",
			  (unsigned long long)kib);

		host_count_refault(&s->vm[0], 3, ps[i].shift, 1500);
		CHECK_U64(s->vm[0].refaulted_bytes, 3 * page,
			  "host: %llu KiB pages: 3 pages back are 3 pages of bytes",
			  (unsigned long long)kib);
		host_select(&sel, s);
		if (CHECK(!host_metrics_render(&b, s, &sel, &mo) && b.data,
			  "host: %llu KiB pages: metrics rendered", (unsigned long long)kib)) {
			snprintf(want, sizeof(want), "%llu", (unsigned long long)(3 * page));
			CHECK_STR(sample(b.data, "prtop_host_refaulted_bytes_total{vm=\"vm0\","
						 "pid=\"100\"}"),
				  want, "host: %llu KiB pages: refaulted_bytes_total",
				  (unsigned long long)kib);
			snprintf(want, sizeof(want), "%llu", (unsigned long long)(3 * page / 4096));
			CHECK_STR(sample(b.data, "prtop_host_refault_age_seconds_count{vm=\"vm0\","
						 "pid=\"100\"}"),
				  want, "host: %llu KiB pages: refault ages observed per 4 KiB",
				  (unsigned long long)kib);
			snprintf(want, sizeof(want), "%.10g", 1.5 * (double)(3 * page / 4096));
			CHECK_STR(sample(b.data, "prtop_host_refault_age_seconds_sum{vm=\"vm0\","
						 "pid=\"100\"}"),
				  want, "host: %llu KiB pages: refault age _sum 1.5 s each",
				  (unsigned long long)kib);
		}
		mbuf_free(&b);
		free(s);
	}
}


/*
 * Refaults by PAGEMAP_SCAN: the ranges of present pages the kernel gives
 * for a chunk against the chunk's discarded pages, in each page size.
 * Chunk 5 (10 MiB in); discarded: pages 0..7 and the last one; present:
 * pages 2..3, 6..12 (only 6, 7 of them discarded), one range across the
 * chunk's end (its last page) and one wholly in chunk 4 (ignored).  Back:
 * 2, 3, 6, 7 and the last: 5 pages; page 0, 1, 4 and 5 stay discarded.
 */
static void scan_regions(void)
{
	static const uint32_t shifts[] = {12, 14, 16};
	unsigned i;

	for (i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		uint32_t sh = shifts[i], n = host_chunk_pages(sh), k;
		uint64_t base = 5ULL << HOST_CHUNK_SHIFT, pg = 1ULL << sh, left = 0;
		__u64 bits[HOST_CHUNK_WORDS] = {0};
		struct host_region r[] = {
		    {base + 2 * pg, base + 4 * pg, 0},
		    {base + 6 * pg, base + 13 * pg, 0},
		    {base + (n - 1) * pg, base + (n + 3) * pg, 0},
		    {base - 4 * pg, base, 0},
		};

		for (k = 0; k < 8; k++)
			bits[k / 64] |= 1ULL << (k % 64);
		bits[(n - 1) / 64] |= 1ULL << ((n - 1) % 64);
		CHECK_U64(host_chunk_back_regions(bits, 5, r, 4, sh), 5,
			  "host scan: %u KiB pages: 5 discarded pages among the present ranges",
			  (1U << sh) / 1024);
		for (k = 0; k < HOST_CHUNK_WORDS; k++)
			left += (uint64_t)__builtin_popcountll(bits[k]);
		CHECK_U64(left, 4, "host scan: %u KiB pages: pages 0, 1, 4, 5 still discarded",
			  (1U << sh) / 1024);
		CHECK_U64(bits[0] & 0xff, 0x33, "host scan: %u KiB pages: the very bits left",
			  (1U << sh) / 1024);
		CHECK_U64(host_chunk_back_regions(bits, 5, r, 4, sh), 0,
			  "host scan: %u KiB pages: found once, not again", (1U << sh) / 1024);
		CHECK_U64(host_chunk_back_regions(bits, 5, NULL, 0, sh), 0,
			  "host scan: %u KiB pages: nothing present, nothing back",
			  (1U << sh) / 1024);
	}
}

/*
 * The age of a page the scan finds back: its fault came after the later of
 * its discard and the scan before; the middle of that to now is taken, in
 * ms.  Discarded at 10 s, scans at 40 s and 41 s: 30.5 s.  Discarded
 * between the two scans (40.6 s): 0.2 s.  No scan before: from the discard.
 */
static void scan_ages(void)
{
	const uint64_t s = 1000000000ULL;

	CHECK_U64(host_scan_age_ms(10 * s, 40 * s, 41 * s), 30500,
		  "host scan: discarded long before the last scan: 30.5 s old");
	CHECK_U64(host_scan_age_ms(40 * s + 600000000ULL, 40 * s, 41 * s), 200,
		  "host scan: discarded between the scans: 0.2 s old");
	CHECK_U64(host_scan_age_ms(10 * s, 0, 12 * s), 1000,
		  "host scan: no scan before: the middle from the discard, 1 s");
	CHECK_U64(host_scan_age_ms(12 * s, 0, 12 * s), 0,
		  "host scan: found at the discard's own moment: 0, never negative");
}

/*
 * A figure whose source does not work is unknown, never 0: punch_hole
 * without the fallocate probe (its discards would be missed), the totals
 * that include it, and an RSS whose status file could not be read.
 */
static void availability(void)
{
	struct host_snap *a = snap(2), *b = snap(2);
	struct host_sel sel = {.top = 2};
	struct metrics_opts mo = {.version = "t"};
	struct mbuf mb = {0};
	struct json_object *o, *v, *w, *m, *x;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	b->mono_ns = a->mono_ns + 1000000000ULL;
	b->vm[0].st.bytes[HOST_M_DONTNEED] += 8 << 20;
	a->probe[HP_FALLOCATE].attached = b->probe[HP_FALLOCATE].attached = false;
	b->vm[1].rss_known = false;
	CHECK(host_method_known(b, HOST_M_DONTNEED) && !host_method_known(b, HOST_M_PUNCH) &&
		  !host_discards_known(b) && host_refaults_known(b),
	      "host availability: groups follow their probes");
	o = host_json(b, a);
	v = json_object_array_get_idx(json_object_object_get(o, "vms"), 0);
	m = v ? json_object_object_get(v, "by_method") : NULL;
	CHECK(m && json_object_object_get_ex(m, "punch_hole", &x) && !x,
	      "host availability: json punch_hole null without the fallocate probe");
	x = m ? json_object_object_get(json_object_object_get(m, "dontneed"), "bytes") : NULL;
	CHECK(x && json_object_get_uint64(x) == 9 << 20,
	      "host availability: json dontneed known with the madvise probe");
	CHECK(v && json_object_object_get_ex(v, "discarded_bytes", &x) && !x,
	      "host availability: json total null when a method is unknown");
	w = v ? json_object_object_get(v, "window") : NULL;
	CHECK(w && json_object_object_get_ex(w, "discarded_bytes", &x) && !x,
	      "host availability: json window discards null when a method is unknown");
	CHECK(w &&
		  json_object_get_uint64(json_object_object_get(
		      json_object_array_get_idx(json_object_object_get(o, "vms"), 0),
		      "refaulted_bytes")) == 0 &&
		  json_object_object_get_ex(
		      json_object_array_get_idx(json_object_object_get(o, "vms"), 0),
		      "refaulted_bytes", &x) &&
		  x,
	      "host availability: json refaults known by their own method");
	json_object_put(o);
	f = open_memstream(&text, &len);
	if (f) {
		host_text_frame(f, b, a, false);
		fclose(f);
	}
	CHECK(text && strstr(text, "punch_hole n/a") && !strstr(text, "punch_hole 0"),
	      "host availability: text says punch_hole n/a");
	CHECK(text && strstr(text, "    100 vm0               n/a "),
	      "host availability: text discard rate n/a");
	free(text);
	host_select(&sel, b);
	CHECK(!host_metrics_render(&mb, b, &sel, &mo) && mb.data, "host availability: metrics");
	CHECK(mb.data && !strstr(mb.data, "method=\"punch_hole\""),
	      "host availability: no punch_hole series without the fallocate probe");
	CHECK(mb.data && strstr(mb.data, "prtop_host_discarded_bytes_total{vm=\"vm0\",pid=\"100\","
					 "method=\"dontneed\"} 9437184"),
	      "host availability: dontneed series kept");
	CHECK(mb.data && strstr(mb.data, "prtop_host_rss_bytes{vm=\"vm0\"") &&
		  !strstr(mb.data, "prtop_host_rss_bytes{vm=\"vm1\""),
	      "host availability: an unknown RSS has no series, a known one has");
	mbuf_free(&mb);
	free(a);
	free(b);
}

/*
 * The live view's order: by a column either way, unknown values last in
 * both, names by strcmp, ties by pid.  VMs 100..103 discard 1..4 MiB
 * (snap()); 102's RSS is unknown.
 */
static void sorting(void)
{
	struct host_snap *s = snap(4), *p = snap(4);
	int o[4];
	char got[64];
	double v;

	s->mono_ns = p->mono_ns + 1000000000ULL;
	s->vm[0].st.bytes[HOST_M_DONTNEED] += 10 << 20; /* 100: the most in the window */
	s->vm[1].rss_kib = 4096;
	s->vm[3].rss_kib = 2048;
	s->vm[2].rss_known = false;
	snprintf(s->vm[1].name, sizeof(s->vm[1].name), "alpha");
#define ORDER(col, desc)                                                                           \
	(host_sort(o, s, p, col, desc),                                                            \
	 snprintf(got, sizeof(got), "%d %d %d %d", s->vm[o[0]].pid, s->vm[o[1]].pid,               \
		  s->vm[o[2]].pid, s->vm[o[3]].pid),                                               \
	 got)
	CHECK_STR(ORDER(HC_DISCARDED, true), "100 103 102 101", "host sort: discarded, desc");
	CHECK_STR(ORDER(HC_DISCARDED, false), "101 102 103 100", "host sort: discarded, asc");
	CHECK_STR(ORDER(HC_DISCARD_RATE, true), "100 101 102 103",
		  "host sort: discard rate desc (only 100 discarded in the window; ties by pid)");
	CHECK_STR(ORDER(HC_RSS, true), "101 103 100 102", "host sort: RSS desc, unknown last");
	CHECK_STR(ORDER(HC_RSS, false), "100 103 101 102",
		  "host sort: RSS asc, unknown still last");
	CHECK_STR(ORDER(HC_NAME, false), "101 100 102 103", "host sort: names asc");
	CHECK_STR(ORDER(HC_PID, true), "103 102 101 100", "host sort: pid desc");
#undef ORDER
	CHECK(host_col_value(s, p, 0, HC_DISCARD_RATE, &v) && v == 10 << 20,
	      "host: discard rate of the window, bytes/s");
	CHECK(!host_col_value(s, NULL, 0, HC_DISCARD_RATE, &v), "host: no rate without a window");
	p->probe[HP_FALLOCATE].attached = s->probe[HP_FALLOCATE].attached = false;
	CHECK(!host_col_value(s, p, 0, HC_DISCARDED, &v),
	      "host: discarded unknown with a discard probe missing");
	free(s);
	free(p);
}

void test_host(void)
{
	availability();
	sorting();
	size_hist();
	page_sizes();
	scan_regions();
	scan_ages();
	other_monotonic();
	kinds();
	names();
	status();
	smaps();
	delta();
	top_n();
	json();
	pod_uids();
	identities();
	identity_files();
	identity_out();
	manager_stats();
}
