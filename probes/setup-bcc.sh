#!/usr/bin/env bash
# Make bcc usable on this machine (as root, Debian or Ubuntu): kernel headers bcc can compile
# against, and tracefs mounted.  Idempotent.  Called by scripts/install-deps.sh; shipped in
# the wheel (perftui/probes/setup-bcc.sh), where `perftui doctor` names it as the fix.
#
# bcc compiles C at run time against /lib/modules/$(uname -r)/build.  Headers are installed
# with apt when none are: the running kernel's own package when the distribution has one,
# else its generic ones.  Those are Debian's fallback: split into a -common tree and an -ARCH
# tree that are only usable together, merged here into one tree of symlinks at a fixed
# location that perftui (perftui/probes/bccenv.py) looks for.  Struct layouts may differ from
# the running kernel's, which is why perftui's BPF programs use tracepoint arguments only.
set -euo pipefail

DEST=${PERFTUI_KERNEL_SRC:-/usr/local/share/perftui/kernel-src}
TRACEFS=/sys/kernel/tracing

die() { echo "setup-bcc: error: $*" >&2; exit 1; }
say() { echo "setup-bcc: $*"; }

[[ $(id -u) -eq 0 ]] || die "must run as root"

release=$(uname -r)
arch=$(dpkg --print-architecture)

newest_headers() {
    find /usr/src -maxdepth 1 -type d -name "linux-headers-*-$arch" | sort -V | tail -n 1
}

if [[ ! -d /lib/modules/$release/build && -z $(newest_headers) ]]; then
    command -v apt-get >/dev/null || die "no kernel headers for $release, and no apt-get"
    packaged() { apt-cache show "$1" >/dev/null 2>&1; }
    packaged "linux-headers-$release" || apt-get update -q >/dev/null 2>&1 || true
    pkg=linux-headers-$arch
    if packaged "linux-headers-$release"; then pkg=linux-headers-$release; fi
    say "installing $pkg"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "$pkg" >/dev/null || die "apt-get install $pkg failed"
fi

if [[ -d /lib/modules/$release/build ]]; then
    say "kernel $release has its own headers; no merged tree needed"
else
    # Newest installed Debian header pair, e.g. linux-headers-6.1.0-56-{amd64,common}.
    arch_dir=$(newest_headers)
    [[ -n $arch_dir ]] || die "no /usr/src/linux-headers-*-$arch; run: apt-get install linux-headers-$arch"
    common_dir=${arch_dir%-"$arch"}-common
    [[ -d $common_dir ]] || die "$common_dir is missing (it comes with ${arch_dir##*/})"

    marker="${arch_dir##*/} $common_dir $arch_dir"
    if [[ -f $DEST/.perftui-source && $(cat "$DEST/.perftui-source") == "$marker" ]]; then
        say "header tree $DEST is up to date (${arch_dir##*/})"
    else
        # Build next to DEST and swap, so a failure never leaves a half-made tree behind.
        tmp="$DEST.tmp.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        trap 'rm -rf "$tmp"' EXIT
        cp -as "$common_dir/." "$tmp/"
        cp -asf "$arch_dir/." "$tmp/"
        echo "$marker" >"$tmp/.perftui-source"
        rm -rf "$DEST"
        mv "$tmp" "$DEST"
        trap - EXIT
        say "built header tree $DEST from ${arch_dir##*/} (kernel is $release)"
    fi
fi

if mountpoint -q "$TRACEFS"; then
    say "tracefs already mounted"
else
    mount -t tracefs nodev "$TRACEFS" || die "cannot mount tracefs at $TRACEFS (eBPF tracepoints need it)"
    say "mounted tracefs at $TRACEFS"
fi
