import { AppError } from '../../../shared/api/errors';
import type { ScanFailureKind, ScanRun } from '../../../shared/domain/assets';
import type { Workspace, WriteTx } from '../db/workspace';
import type { Clock } from '../platform/clock';
import type { EventBus } from '../platform/events';
import type { IdGenerator } from '../platform/ids';
import type { Logger } from '../platform/logger';
import { classifyRemoteFailure, type RemoteFailureKind } from '../remote/classify';
import { sh } from '../remote/command';
import { collectFacts } from '../remote/facts/collect';
import { checkHostKey, hostKeyPolicy } from '../remote/host-key-store';
import type { HostKeyDecision, HostKeyPolicy, PresentedHostKey } from '../remote/host-keys';
import { RunPool } from '../remote/pool';
import type { RemoteSession } from '../remote/session';
import { connect, type ConnectDeps, type Target } from '../remote/ssh-connection';

import { findHostByAddress, getHostRow, type HostRow } from './hosts.repository';
import {
  abandonScanRun,
  countRunOutcomes,
  finishScanRun,
  getScanRun,
  insertScanRun,
  listUnfinishedRunIds,
  recordScanFailure,
  recordScanSuccess,
  type HostScanState,
  type ScanOutcome,
} from './scans.repository';
import { recordSighting } from './sightings.repository';
import {
  defaultConnectionSettings,
  resolveProbeTarget,
  resolveTarget,
  type ConnectionSettings,
} from './targets';
import type { Vault } from './vault';

/** How scans connect and how long one host may take. */
export type ScannerOptions = {
  connection: ConnectionSettings;
  /** The longest one host's scan may take, connecting included; then it fails with `timeout`. */
  hostTimeoutMs: number;
  /** The longest the sudo check may take. */
  sudoTimeoutMs: number;
  /**
   * Results of hosts that finish within this many milliseconds of each other are written in one
   * workspace transaction (one journal fsync for all of them).
   */
  batchWindowMs: number;
  /** At most this many host results go into one transaction. */
  batchMaxHosts: number;
};

/**
 * The defaults: the connection defaults, 5 minutes per host, 30 s for the sudo check, results
 * written together when they finish within 100 ms, at most 16 hosts per write.
 */
export function defaultScannerOptions(): ScannerOptions {
  return {
    connection: defaultConnectionSettings(),
    hostTimeoutMs: 300_000,
    sudoTimeoutMs: 30_000,
    batchWindowMs: 100,
    batchMaxHosts: 16,
  };
}

/** Opens an SSH session: the remote layer's `connect`, or the same with other settings. */
export type SshConnect = (target: Target, deps: ConnectDeps) => Promise<RemoteSession>;

/** What the scanner needs from the core. */
export type ScannerDeps = {
  workspace: Workspace;
  clock: Clock;
  ids: IdGenerator;
  events: EventBus;
  log: Logger;
  vault: Vault;
  options?: Partial<ScannerOptions>;
  connect?: SshConnect;
};

/** The key a host presented during a handshake that was not trusted, and the decision. */
type SeenKey = PresentedHostKey & { decision: Exclude<HostKeyDecision, { status: 'trusted' }> };

type RunHost = ScanRun['hosts'][number] & { scanId: string };

type ActiveRun = {
  run: ScanRun;
  hosts: RunHost[];
  done: number;
  ok: number;
  failed: number;
  finished: Promise<void>;
  results: ResultBatch;
};

/** One host's result, waiting to be written. */
type PendingResult = {
  /** The host's writes, inside the batch's transaction. */
  write: (tx: WriteTx) => void;
  /** After the commit: counts and the host's events. */
  committed: () => void;
  /** When the host's writes could not be committed even on their own. */
  failed: (error: unknown) => void;
};

/**
 * Collects the results of hosts that finish close together and writes them in one workspace
 * transaction: when `windowMs` has passed since the first waiting result, when `maxHosts` are
 * waiting, or when the run ends. Should the batch fail, each result is written on its own, so one
 * host's bad result does not cost the others theirs.
 */
class ResultBatch {
  readonly #workspace: Workspace;
  readonly #windowMs: number;
  readonly #maxHosts: number;
  #waiting: PendingResult[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(workspace: Workspace, windowMs: number, maxHosts: number) {
    this.#workspace = workspace;
    this.#windowMs = windowMs;
    this.#maxHosts = Math.max(1, maxHosts);
  }

  add(result: PendingResult): void {
    this.#waiting.push(result);
    if (this.#waiting.length >= this.#maxHosts) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), this.#windowMs);
  }

  /** Writes every waiting result now, with `last` (the end of the run) in the same transaction. */
  flush(last?: (tx: WriteTx) => void): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting;
    this.#waiting = [];
    if (batch.length === 0 && last === undefined) return;
    try {
      this.#workspace.transaction((tx) => {
        for (const result of batch) result.write(tx);
        last?.(tx);
      });
    } catch {
      for (const result of batch) {
        try {
          this.#workspace.transaction((tx) => result.write(tx));
        } catch (error) {
          result.failed(error);
          continue;
        }
        result.committed();
      }
      if (last !== undefined) this.#workspace.transaction(last);
      return;
    }
    for (const result of batch) result.committed();
  }
}

/** A planned run, written by the `scans.start` command before the run is launched. */
export type PlannedRun = {
  id: string;
  startedAt: string;
  startedBy: string;
  concurrency: number;
  hosts: { scanId: string; hostId: string; hostName: string }[];
};

/** What a host removed from the inventory while its results waited to be written shows. */
const REMOVED_DURING_SCAN: ScanOutcome = {
  status: 'failed',
  failureKind: 'internal',
  message: 'The host was removed from the inventory while it was being scanned.',
  action: null,
};

/** What a host whose results could not be saved shows. */
const NOT_SAVED: ScanOutcome = {
  status: 'failed',
  failureKind: 'internal',
  message: 'The host was scanned, but PatchDeck could not save the results.',
  action:
    'Scan the host again; if this keeps happening, check the workspace with `patchdeck workspace check`.',
};

const KIND_OF: Readonly<Record<RemoteFailureKind, ScanFailureKind>> = {
  unreachable: 'unreachable',
  'connection-refused': 'connection-refused',
  'auth-refused': 'auth-refused',
  'host-key-unknown': 'host-key-unknown',
  'host-key-changed': 'host-key-changed',
  'host-key-revoked': 'host-key-revoked',
  'sudo-refused': 'sudo-refused',
  'sudo-password-required': 'sudo-password-required',
  timeout: 'timeout',
  'command-failed': 'command-failed',
  'unsafe-argument': 'command-failed',
  internal: 'internal',
};

const keyOf = (address: string, port: number) => `${address.toLowerCase()}:${port}`;

/** A host-key policy that also remembers every untrusted key it was shown. */
function recordingPolicy(base: HostKeyPolicy, seen: Map<string, SeenKey>): HostKeyPolicy {
  return {
    check: (key) => {
      const decision = base.check(key);
      if (decision.status !== 'trusted')
        seen.set(keyOf(key.address, key.port), { ...key, decision });
      return decision;
    },
    pinnedKeyTypes: (address, port) => base.pinnedKeyTypes?.(address, port) ?? [],
  };
}

/**
 * Turns a scan failure into the outcome the operator sees: what happened and what to do next.
 */
export function scanFailureOutcome(error: unknown): ScanOutcome & { internal: boolean } {
  if (error instanceof AppError) {
    const code = error.code;
    if (code === 'VAULT_LOCKED' || code === 'VAULT_NOT_INITIALIZED') {
      return {
        status: 'failed',
        failureKind: 'credentials-locked',
        message: `The host's credential has a stored secret, and the credentials vault is ${code === 'VAULT_LOCKED' ? 'locked' : 'not set up'}. Nothing was sent to the host.`,
        action: 'Unlock the credentials vault with its passphrase, then scan again.',
        internal: false,
      };
    }
    if (code === 'CREDENTIAL_NOT_FOUND') {
      return {
        status: 'failed',
        failureKind: 'auth-refused',
        message: error.message,
        action: 'Choose a credential for the host, then scan again.',
        internal: false,
      };
    }
    if (code === 'HOST_NOT_FOUND' || code === 'VALIDATION_FAILED') {
      return {
        status: 'failed',
        failureKind: 'unreachable',
        message: error.message,
        action: "Correct the host's jump host setting, then scan again.",
        internal: false,
      };
    }
    if (code === 'REMOTE_COMMAND_FAILED' && error.details?.['reason'] === 'unknown-os-family') {
      return {
        status: 'failed',
        failureKind: 'unsupported-os',
        message: error.message,
        action:
          'PatchDeck scans Debian/Ubuntu, RHEL-family, Windows and macOS hosts; remove the host or check its operating system.',
        internal: false,
      };
    }
  }
  const failure = classifyRemoteFailure(error);
  return {
    status: 'failed',
    failureKind: KIND_OF[failure.kind],
    message: failure.message,
    action: failure.action,
    internal: failure.kind === 'internal',
  };
}

/**
 * Scans hosts in the background: at most `concurrency` at once, one connection per host for all
 * of its commands, a progress event per state change. A host already scanned is asked with its
 * known OS family's script (no probe first). Results of hosts that finish close together are
 * written in one transaction; a host counts as done (and its event goes out) once its result is
 * on disk.
 *
 * An unknown or changed host key ends the connection before credentials are sent and is recorded
 * as a sighting waiting for an operator's decision.
 */
export class Scanner {
  readonly #deps: ScannerDeps;
  readonly #options: ScannerOptions;
  readonly #connect: SshConnect;
  readonly #active = new Map<string, ActiveRun>();
  readonly #pools = new Set<RunPool>();
  #closing = false;

  constructor(deps: ScannerDeps) {
    this.#deps = deps;
    this.#options = { ...defaultScannerOptions(), ...deps.options };
    this.#connect = deps.connect ?? connect;
  }

  /**
   * Closes the runs a previous core left unfinished (it stopped during them): their hosts still
   * queued or in progress fail, saying why.
   */
  recoverUnfinishedRuns(): void {
    const { workspace, clock } = this.#deps;
    const runs = listUnfinishedRunIds(workspace);
    if (runs.length === 0) return;
    const at = clock.now().toISOString();
    workspace.transaction((tx) => {
      for (const runId of runs) {
        abandonScanRun(tx, runId, at, {
          message: 'PatchDeck stopped before this host was scanned.',
          action: 'Scan the host again.',
        });
      }
    });
  }

  /** Writes a planned run (inside the `scans.start` command's transaction). */
  record(tx: Parameters<typeof insertScanRun>[0], run: PlannedRun): void {
    insertScanRun(tx, run);
  }

  /** Starts a recorded run in the background and returns at once. */
  launch(plan: PlannedRun): void {
    const hosts: RunHost[] = plan.hosts.map((h) => ({
      hostId: h.hostId,
      hostName: h.hostName,
      scanId: h.scanId,
      state: 'queued',
      outcome: null,
    }));
    const active: ActiveRun = {
      run: {
        id: plan.id,
        startedAt: plan.startedAt,
        finishedAt: null,
        startedBy: plan.startedBy,
        concurrency: plan.concurrency,
        hosts,
      },
      hosts,
      done: 0,
      ok: 0,
      failed: 0,
      finished: Promise.resolve(),
      results: new ResultBatch(
        this.#deps.workspace,
        this.#options.batchWindowMs,
        this.#options.batchMaxHosts,
      ),
    };
    this.#active.set(plan.id, active);
    active.finished = this.#execute(active).catch((error: unknown) => {
      this.#deps.log.error('scan run failed', { runId: plan.id, error });
    });
  }

  /** The current state of a run: live while it runs, from the workspace afterwards. */
  get(runId: string): ScanRun | undefined {
    const active = this.#active.get(runId);
    if (active) return snapshot(active);
    return getScanRun(this.#deps.workspace, runId);
  }

  /** Runs still going, oldest first. */
  activeRuns(): ScanRun[] {
    return [...this.#active.values()].map(snapshot);
  }

  /** Resolves when a run has finished (at once for unknown or finished runs). */
  async whenFinished(runId: string): Promise<void> {
    await this.#active.get(runId)?.finished;
  }

  /** Stops every run: hosts not started yet fail, open connections close; waits for the rest. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all([...this.#pools].map((pool) => pool.close()));
    await Promise.all([...this.#active.values()].map((run) => run.finished));
  }

  async #execute(active: ActiveRun): Promise<void> {
    const seen = new Map<string, SeenKey>();
    const policy = recordingPolicy(hostKeyPolicy(this.#deps.workspace), seen);
    const pool = new RunPool({
      connect: (target) => this.#connect(target, { hostKeys: policy, log: this.#deps.log }),
      concurrency: active.run.concurrency,
    });
    this.#pools.add(pool);
    try {
      await pool.forEachHost(active.hosts, (host) => this.#scanHost(active, host, pool, seen));
    } finally {
      this.#pools.delete(pool);
      await pool.close();
      const at = this.#deps.clock.now().toISOString();
      active.run.finishedAt = at;
      try {
        // The last results and the end of the run: one transaction.
        active.results.flush((tx) =>
          finishScanRun(tx, active.run.id, at, countRunOutcomes(tx, active.run.id)),
        );
      } catch (error) {
        this.#deps.log.error('could not record the end of a scan run', {
          runId: active.run.id,
          error,
        });
      }
      this.#active.delete(active.run.id);
      this.#deps.events.emit('scans.finished', {
        runId: active.run.id,
        ok: active.ok,
        failed: active.failed,
      });
    }
  }

  #progress(active: ActiveRun, host: RunHost, state: HostScanState, outcome: ScanOutcome | null) {
    host.state = state;
    host.outcome = outcome;
    if (state === 'done' || state === 'failed') active.done += 1;
    this.#deps.events.emit('scans.progress', {
      runId: active.run.id,
      hostId: host.hostId,
      hostName: host.hostName,
      state,
      outcome,
      done: active.done,
      total: active.hosts.length,
    });
  }

  async #scanHost(
    active: ActiveRun,
    entry: RunHost,
    pool: RunPool,
    seen: Map<string, SeenKey>,
  ): Promise<void> {
    const { workspace, clock } = this.#deps;
    const startedAt = clock.now().toISOString();
    const host = getHostRow(workspace, entry.hostId);
    if (this.#closing || !host) {
      this.#fail(active, entry, startedAt, {
        status: 'failed',
        failureKind: 'internal',
        message: host
          ? 'The scan was stopped because PatchDeck was closing.'
          : 'The host was removed from the inventory before it was scanned.',
        action: host ? 'Scan the host again.' : null,
      });
      return;
    }
    this.#progress(active, entry, 'connecting', null);
    let session: RemoteSession | undefined;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const work = async () => {
      const resolved = resolveTarget(workspace, this.#deps.vault, host, this.#options.connection);
      session = await pool.session(resolved.target);
      if (timedOut) throw new Error('timed out');
      this.#progress(active, entry, 'collecting', null);
      if (resolved.sudo) {
        // Deployments need root: prove sudo works the way the credential says it does.
        await session.runChecked(sh`true`, {
          sudo: resolved.sudo,
          timeoutMs: this.#options.sudoTimeoutMs,
        });
      }
      // A host scanned before is asked with its family's script at once; collectFacts probes
      // only if that script fails (the host was reinstalled with another OS).
      const known = host.osFamily !== null && host.osFamily !== 'unknown' ? host.osFamily : null;
      return collectFacts(session, { clock, ...(known !== null ? { family: known } : {}) });
    };
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new AppError(
            'REMOTE_TIMEOUT',
            `Scanning ${host.name} took longer than ${Math.round(this.#options.hostTimeoutMs / 1000)} s and was stopped.`,
            { hostId: host.id, timeoutMs: this.#options.hostTimeoutMs },
          ),
        );
        void session?.close();
      }, this.#options.hostTimeoutMs);
    });
    const running = work();
    running.catch(() => undefined);
    try {
      const facts = await Promise.race([running, deadline]);
      clearTimeout(timer);
      const finishedAt = clock.now().toISOString();
      let removed = false;
      active.results.add({
        write: (tx) => {
          // The host may have been removed while its results waited to be written.
          removed = getHostRow(tx, host.id) === undefined;
          if (removed) {
            recordScanFailure(tx, {
              scanId: entry.scanId,
              hostId: host.id,
              startedAt,
              finishedAt,
              outcome: REMOVED_DURING_SCAN,
            });
            return;
          }
          recordScanSuccess(tx, {
            scanId: entry.scanId,
            hostId: host.id,
            startedAt,
            finishedAt,
            facts,
          });
        },
        committed: () => {
          if (removed) {
            this.#countFailure(active, entry, REMOVED_DURING_SCAN);
            return;
          }
          active.ok += 1;
          this.#progress(active, entry, 'done', {
            status: 'ok',
            failureKind: null,
            message: null,
            action: null,
          });
          this.#deps.events.emit('hosts.changed', { hostIds: [host.id] });
        },
        failed: (error) => {
          this.#deps.log.error('could not save a scan result', { hostId: host.id, error });
          try {
            workspace.transaction((tx) =>
              recordScanFailure(tx, {
                scanId: entry.scanId,
                hostId: host.id,
                startedAt,
                finishedAt,
                outcome: NOT_SAVED,
              }),
            );
          } catch (again) {
            this.#deps.log.error('could not record a scan failure', {
              hostId: host.id,
              error: again,
            });
          }
          this.#countFailure(active, entry, NOT_SAVED);
        },
      });
    } catch (error) {
      clearTimeout(timer);
      const outcome = scanFailureOutcome(
        this.#closing && !timedOut
          ? new AppError('REMOTE_TIMEOUT', 'The scan was stopped because PatchDeck was closing.')
          : error,
      );
      const { internal, ...visible } = outcome;
      if (internal) this.#deps.log.error('scan failed unexpectedly', { hostId: host.id, error });
      const sighting = this.#sightingFor(error, seen);
      this.#fail(active, entry, startedAt, visible, sighting);
    }
  }

  /** The untrusted key behind a host-key failure, and the inventory host it belongs to. */
  #sightingFor(error: unknown, seen: Map<string, SeenKey>) {
    if (!(error instanceof AppError)) return undefined;
    if (error.code !== 'HOST_KEY_UNKNOWN' && error.code !== 'HOST_KEY_CHANGED') return undefined;
    const address = error.details?.['address'];
    const port = error.details?.['port'];
    if (typeof address !== 'string' || typeof port !== 'number') return undefined;
    const key = seen.get(keyOf(address, port));
    const owner = findHostByAddress(this.#deps.workspace, address, port);
    if (!key || !owner) return undefined;
    return { key, hostId: owner.id };
  }

  #fail(
    active: ActiveRun,
    entry: RunHost,
    startedAt: string,
    outcome: ScanOutcome,
    sighting?: { key: SeenKey; hostId: string },
  ): void {
    const finishedAt = this.#deps.clock.now().toISOString();
    const counted = () => this.#countFailure(active, entry, outcome, sighting?.hostId);
    active.results.add({
      write: (tx) => {
        recordScanFailure(tx, {
          scanId: entry.scanId,
          hostId: entry.hostId,
          startedAt,
          finishedAt,
          outcome,
        });
        if (sighting && sighting.key.decision.status !== 'revoked') {
          recordSighting(tx, {
            hostId: sighting.hostId,
            address: sighting.key.address,
            port: sighting.key.port,
            keyType: sighting.key.keyType,
            fingerprint: sighting.key.fingerprint,
            publicKeyBase64: sighting.key.publicKeyBase64,
            kind: sighting.key.decision.status,
            pinnedFingerprint:
              sighting.key.decision.status === 'changed'
                ? sighting.key.decision.pinnedFingerprint
                : null,
            seenAt: finishedAt,
          });
        }
      },
      committed: counted,
      failed: (error) => {
        this.#deps.log.error('could not record a scan failure', { hostId: entry.hostId, error });
        counted();
      },
    });
  }

  /** Counts a failed host and sends its events (its failure is written, or could not be). */
  #countFailure(
    active: ActiveRun,
    entry: RunHost,
    outcome: ScanOutcome,
    sightingHostId?: string,
  ): void {
    active.failed += 1;
    this.#progress(active, entry, 'failed', outcome);
    this.#deps.events.emit('hosts.changed', { hostIds: [entry.hostId] });
    if (sightingHostId !== undefined) {
      this.#deps.events.emit('hostKeys.changed', { hostId: sightingHostId });
    }
  }

  /**
   * Connects to a host just far enough to read the host key it presents, then ends the handshake
   * (no credentials are ever sent to the host itself; its jump hosts, if any, must be trusted).
   */
  async probe(host: HostRow): Promise<{ key: PresentedHostKey; decision: HostKeyDecision }> {
    const { workspace, vault, log } = this.#deps;
    const target = resolveProbeTarget(workspace, vault, host, this.#options.connection);
    const base = hostKeyPolicy(workspace);
    let presented: PresentedHostKey | undefined;
    const policy: HostKeyPolicy = {
      check: (key) => {
        if (keyOf(key.address, key.port) !== keyOf(host.address, host.port)) return base.check(key);
        presented = key;
        // Refuse every key of the probed host, so the handshake never reaches authentication.
        return { status: 'unknown' };
      },
      pinnedKeyTypes: (address, port) => base.pinnedKeyTypes?.(address, port) ?? [],
    };
    try {
      const session = await this.#connect(target, { hostKeys: policy, log });
      await session.close();
    } catch (error) {
      if (!presented) throw error;
    }
    if (!presented) throw new Error('The probe finished without seeing a host key.');
    return { key: presented, decision: checkHostKey(workspace, presented) };
  }
}

function snapshot(active: ActiveRun): ScanRun {
  return {
    ...active.run,
    hosts: active.hosts.map((h) => ({
      hostId: h.hostId,
      hostName: h.hostName,
      state: h.state,
      outcome: h.outcome,
    })),
  };
}
