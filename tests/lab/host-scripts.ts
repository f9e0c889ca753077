/**
 * The shell scripts that build and boot a lab host. They run as root: `initScript` inside the
 * host's new mount/PID/UTS namespaces (before chroot), the others inside the host (after chroot).
 */

/** Quotes a string for POSIX sh. */
export function shQuote(value: string): string {
  return `'${value.split("'").join(`'\\''`)}'`;
}

/** Where, inside a host, the files that set it up are copied at each boot (a tmpfs). */
export const SETUP_IN_HOST = '/run/lab-setup';

/** Marker file inside a host: present once the host has been provisioned (first boot). */
export const PROVISIONED_MARKER = '/var/lib/patchdeck-lab/provisioned';

/** The paths of one host on the machine. */
export type HostPaths = {
  /** The host's folder in the run folder. */
  hostDir: string;
  /** Holds `upper/` and `work/` of the overlay (a tmpfs mount point for a tiny-disk host). */
  layerDir: string;
  /** Mount point of the host's root (the overlay), inside its mount namespace only. */
  rootDir: string;
  /** Files copied into the host at each boot: scripts, public keys, password, packages. */
  setupDir: string;
};

/**
 * Runs as PID 1 of the host's PID namespace, in its own mount namespace: mounts the overlay (the
 * machine's root as the lower layer), /proc, /dev, a read-only /sys and a tmpfs /run, sets the
 * hostname, and becomes the host's init by chrooting into the overlay. Every mount lives only in
 * this namespace, so it disappears with the host's last process; the machine's own /dev and
 * mount table are never touched.
 */
export function initScript(paths: HostPaths, name: string): string {
  const layer = shQuote(paths.layerDir);
  const root = shQuote(paths.rootDir);
  return [
    'set -eu',
    'mount --make-rprivate /',
    `mkdir -p ${layer}/upper ${layer}/work ${root}`,
    // The host's /tmp starts empty and private (an opaque directory in the upper layer), so it
    // never shows the machine's /tmp, where the layers of the other hosts live.
    `if [ ! -e ${layer}/upper/tmp ]; then`,
    `  /usr/bin/python3 -c 'import os, sys; p = sys.argv[1]; os.mkdir(p); os.chmod(p, 0o1777); os.setxattr(p, "trusted.overlay.opaque", b"y")' ${layer}/upper/tmp`,
    'fi',
    `mount -t overlay patchdeck-lab -o lowerdir=/,upperdir=${layer}/upper,workdir=${layer}/work ${root}`,
    `mount -t proc proc ${root}/proc`,
    `mount --rbind /dev ${root}/dev`,
    `mount --bind /sys ${root}/sys`,
    `mount -o remount,bind,ro ${root}/sys`,
    `mount -t tmpfs -o mode=0755,size=64m lab-run ${root}/run`,
    `mkdir -p ${root}${SETUP_IN_HOST}`,
    `cp -a ${shQuote(paths.setupDir)}/. ${root}${SETUP_IN_HOST}/`,
    `hostname ${shQuote(name)}`,
    `exec chroot ${root} /bin/bash ${SETUP_IN_HOST}/boot.sh`,
    '',
  ].join('\n');
}

/**
 * The host's init (PID 1 inside the chroot): provisions on first boot, starts sshd, then stays
 * alive reaping orphans until the namespace is ended.
 */
export function bootScript(): string {
  return [
    'set -u',
    'mkdir -p -m 0755 /run/sshd /run/lock',
    `if [ ! -e ${PROVISIONED_MARKER} ]; then`,
    `  if ! bash ${SETUP_IN_HOST}/provision.sh >${SETUP_IN_HOST}/provision.log 2>&1; then`,
    '    echo "provisioning failed:"',
    `    cat ${SETUP_IN_HOST}/provision.log`,
    '    exit 1',
    '  fi',
    'fi',
    `rm -f ${SETUP_IN_HOST}/password`,
    `bash ${SETUP_IN_HOST}/start-sshd.sh || exit 1`,
    'echo booted',
    "trap '' TERM INT HUP",
    'while :; do sleep 3600 & wait $!; done',
    '',
  ].join('\n');
}

/** Starts the host's sshd in the foreground (`-D`) as a child of the host's init. */
export function startSshdScript(): string {
  return [
    'set -eu',
    '/usr/sbin/sshd -t',
    'setsid /usr/sbin/sshd -D </dev/null >>/run/sshd.out 2>&1 &',
    '',
  ].join('\n');
}

/** Generates fresh host keys (ed25519 and ECDSA), replacing any the host had. */
export function hostKeyScript(name: string, dir = '/etc/ssh'): string {
  const comment = shQuote(`root@${name}`);
  return [
    `rm -f ${dir}/ssh_host_*`,
    `ssh-keygen -q -t ed25519 -N '' -C ${comment} -f ${dir}/ssh_host_ed25519_key`,
    `ssh-keygen -q -t ecdsa -N '' -C ${comment} -f ${dir}/ssh_host_ecdsa_key`,
  ].join('\n');
}

/** The sshd configuration of a host: its own address, key and password logins, PAM, no DNS. */
export function sshdConfig(name: string, address: string, port: number): string {
  return [
    `# Lab host ${name}`,
    `ListenAddress ${address}:${port}`,
    'HostKey /etc/ssh/ssh_host_ed25519_key',
    'HostKey /etc/ssh/ssh_host_ecdsa_key',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM yes',
    'UseDNS no',
    'PrintMotd no',
    'PidFile /run/sshd.pid',
    'MaxStartups 200:30:400',
    'MaxSessions 64',
    'AcceptEnv LANG LC_*',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/** What the first boot of a host sets up. */
export type ProvisionOptions = {
  name: string;
  address: string;
  sudoNeedsPassword: boolean;
  rpm: boolean;
};

/**
 * First-boot provisioning, inside the host: hostname and /etc/hosts, its own host keys, sshd
 * configuration, the `patchsvc` user with its password and keys, root's authorized key, sudo
 * rules, and for an RPM-family host its os-release and rpm database.
 */
export function provisionScript(options: ProvisionOptions): string {
  const setup = SETUP_IN_HOST;
  const sudoRule = options.sudoNeedsPassword
    ? 'patchsvc ALL=(ALL:ALL) ALL'
    : 'patchsvc ALL=(ALL:ALL) NOPASSWD: ALL';
  const lines = [
    'set -eu',
    `echo ${shQuote(options.name)} > /etc/hostname`,
    `printf '127.0.0.1\\tlocalhost\\n%s\\t%s\\n::1\\tlocalhost ip6-localhost ip6-loopback\\n' ${shQuote(options.address)} ${shQuote(options.name)} > /etc/hosts`,
    hostKeyScript(options.name),
    `install -m 0644 ${setup}/sshd_config /etc/ssh/sshd_config`,
    'id patchsvc >/dev/null 2>&1 || useradd --create-home --shell /bin/bash patchsvc',
    `chpasswd < ${setup}/password`,
    'install -d -m 0700 /root/.ssh',
    `install -m 0600 ${setup}/root.pub /root/.ssh/authorized_keys`,
    'install -d -m 0700 -o patchsvc -g patchsvc /home/patchsvc/.ssh',
    `install -m 0600 -o patchsvc -g patchsvc ${setup}/patchsvc.pub /home/patchsvc/.ssh/authorized_keys`,
    `printf '%s\\n' ${shQuote(sudoRule)} > /etc/sudoers.d/patchsvc`,
    'chmod 0440 /etc/sudoers.d/patchsvc',
    'visudo -cf /etc/sudoers.d/patchsvc >/dev/null',
  ];
  if (options.rpm) lines.push(...rpmProvisionLines());
  lines.push(`mkdir -p ${PROVISIONED_MARKER.slice(0, PROVISIONED_MARKER.lastIndexOf('/'))}`);
  lines.push(`date -u +%FT%TZ > ${PROVISIONED_MARKER}`);
  lines.push('');
  return lines.join('\n');
}

/**
 * An RPM-family host. What is real: the `rpm` binary (Debian's build of upstream RPM), an rpm
 * database at /var/lib/rpm created by `rpm --initdb`, and packages built by `rpmbuild` and
 * installed with `rpm -i` (their files land in the host). What is staged: /etc/os-release and
 * /etc/redhat-release say Rocky Linux 9, and dpkg/apt are removed from the host so it cannot be
 * mistaken for Debian. There is no dnf/yum; the kernel and libc are the machine's.
 */
function rpmProvisionLines(): string[] {
  const setup = SETUP_IN_HOST;
  return [
    'rm -f /etc/os-release',
    `install -m 0644 ${setup}/os-release /etc/os-release`,
    "echo 'Rocky Linux release 9.3 (Blue Onyx)' > /etc/redhat-release",
    'cp /etc/redhat-release /etc/rocky-release',
    'ln -sf rocky-release /etc/system-release',
    'mkdir -p /etc/rpm /var/lib/rpm',
    "echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros.dbpath",
    'rpm --initdb',
    `rpm -i --nodeps ${setup}/rpms/*.rpm 2>&1 | grep -v -e 'use Alien instead' -e 'know what you are doing' || true`,
    `test "$(rpm -qa | wc -l)" -eq "$(ls ${setup}/rpms/*.rpm | wc -l)"`,
    'rm -f /usr/bin/dpkg /usr/bin/dpkg-query /usr/bin/dpkg-deb /usr/bin/apt /usr/bin/apt-get /usr/bin/apt-cache',
  ];
}

/** /etc/os-release of the RPM-family host, as Rocky Linux 9.3 ships it. */
export const ROCKY_OS_RELEASE = [
  'NAME="Rocky Linux"',
  'VERSION="9.3 (Blue Onyx)"',
  'ID="rocky"',
  'ID_LIKE="rhel centos fedora"',
  'VERSION_ID="9.3"',
  'PLATFORM_ID="platform:el9"',
  'PRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"',
  'ANSI_COLOR="0;32"',
  'LOGO="fedora-logo-icon"',
  'CPE_NAME="cpe:/o:rocky:rocky:9::baseos"',
  'HOME_URL="https://rockylinux.org/"',
  'BUG_REPORT_URL="https://bugs.rockylinux.org/"',
  'ROCKY_SUPPORT_PRODUCT="Rocky-Linux-9"',
  'ROCKY_SUPPORT_PRODUCT_VERSION="9.3"',
  'REDHAT_SUPPORT_PRODUCT="Rocky Linux"',
  'REDHAT_SUPPORT_PRODUCT_VERSION="9.3"',
  '',
].join('\n');

/**
 * Keeps a small tmpfs alive in its own mount namespace: the disk of a tiny-disk host. The host
 * is started inside this namespace, so its upper layer (on the tmpfs) survives a reboot.
 */
export function diskHolderScript(layerDir: string, sizeMiB: number, readyFile: string): string {
  return [
    'set -eu',
    'mount --make-rprivate /',
    `mkdir -p ${shQuote(layerDir)}`,
    `mount -t tmpfs -o size=${sizeMiB}m,mode=0755 lab-disk ${shQuote(layerDir)}`,
    `touch ${shQuote(readyFile)}`,
    'while :; do sleep 3600 & wait $!; done',
    '',
  ].join('\n');
}

/** Configuration of an impostor sshd: another host key on the same address, verbose log. */
export function impostorConfig(address: string, port: number, dir: string): string {
  return [
    `ListenAddress ${address}:${port}`,
    `HostKey ${dir}/ssh_host_ed25519_key`,
    `HostKey ${dir}/ssh_host_ecdsa_key`,
    `PidFile ${dir}/sshd.pid`,
    'PermitRootLogin yes',
    'PasswordAuthentication yes',
    'AuthorizedKeysFile none',
    'UsePAM no',
    'UseDNS no',
    'LogLevel DEBUG3',
    '',
  ].join('\n');
}
