import * as vscode from 'vscode';
import {
  checkLocal,
  describeEndpoint,
  Engine,
  isAbortError,
  isEngineUnavailableError,
  prepareUpdate,
  recreateContainer,
  resolveEngine,
  tryParseReference,
  updateWithCompose,
  type ContainerUpdate,
  type Credential,
  type EngineEndpoint,
  type EngineState,
  type ImageInspect,
  type LocalCheckResult,
  type LocalInventory,
  type PullProgress,
  type PullResult,
  type RecreateResult,
} from '../../core';
import { runComposeTask } from './composeTask';
import type { UpdateChecker } from '../check/updateChecker';
import { affects, readSettings, settingId } from '../config';
import { ContextKey, Setting } from '../constants';
import type { RegistryClients } from '../registry/registryClients';

/** What the Local Engine view shows. */
export type LocalState =
  | { state: 'idle' }
  | { state: 'connecting'; endpoint: string }
  | { state: 'unavailable'; endpoint: string; message: string }
  | {
      state: 'ok';
      engine: Extract<EngineState, { state: 'ok' }>;
      inventory: LocalInventory;
      result: LocalCheckResult | undefined;
      checking: boolean;
      problem: string | undefined;
    };

/** Asks the user to confirm (a modal dialog); resolves true only for the confirming button. */
export type Confirm = (message: string, detail: string, action: string) => Thenable<boolean>;

const modalConfirm: Confirm = (message, detail, action) =>
  vscode.window.showWarningMessage(message, { modal: true, detail }, action).then((choice) => choice === action);

/** While the engine is away and the view is visible, look for it again this often. */
const RETRY_MS = 30_000;

/**
 * The local Docker engine, for the Local Engine view and the pull command. Nothing here runs until the view is
 * first shown or a command needs it: dockerode (dist/docker.js) is loaded then, not at activation. The engine is
 * `registryLens.docker.host` (user settings only: the engine receives registry credentials with each pull, so a
 * workspace must not be able to point it elsewhere), else DOCKER_HOST, the current docker context, the default
 * socket. No engine is a calm state, not an error; while the view is visible the engine is looked for again every
 * 30 s, so an engine that comes back (or starts later) is picked up.
 */
export class LocalEngine implements vscode.Disposable {
  private engine: Engine | undefined;
  private endpointKey = '';
  private current: LocalState = { state: 'idle' };
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private againFresh = false;
  private retry: NodeJS.Timeout | undefined;
  private visible = false;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly checker: UpdateChecker,
    private readonly clients: RegistryClients,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      this.emitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affects(e, Setting.DockerHost) && this.current.state !== 'idle')
          void this.refresh('docker host setting changed');
      }),
    ];
  }

  get state(): LocalState {
    return this.current;
  }

  private set(state: LocalState): void {
    this.current = state;
    // Menus offer a pull unless the engine is known to be missing ('unknown' until the first look).
    if (state.state === 'ok' || state.state === 'unavailable')
      void vscode.commands.executeCommand('setContext', ContextKey.EngineState, state.state);
    this.emitter.fire();
  }

  /** The view became visible or hidden: load on first show, keep retrying a missing engine only while shown. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.current.state === 'idle') void this.refresh('view shown');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    if (!this.visible || this.current.state !== 'unavailable') return;
    this.retry = setTimeout(() => void this.refresh('looking for the engine again'), RETRY_MS);
    this.retry.unref();
  }

  /** The endpoint from settings and environment; a new Engine when it changed. */
  private resolve(): Engine {
    const host = readSettings().dockerHost;
    const endpoint: EngineEndpoint = resolveEngine({
      host,
      hostLabel: settingId(Setting.DockerHost),
      env: process.env,
    });
    const key = JSON.stringify([endpoint.host, endpoint.kind, endpoint.source.kind]);
    if (!this.engine || key !== this.endpointKey) {
      this.engine?.dispose();
      this.engine = new Engine(endpoint);
      this.endpointKey = key;
      this.log.info(`Docker engine: ${describeEndpoint(endpoint)}`);
    }
    return this.engine;
  }

  /**
   * Pings, lists and compares with the registries; one at a time (a request during a run queues one more).
   * `fresh` (the Refresh command, after a pull) asks the registries again instead of trusting cached tag answers.
   */
  refresh(reason: string, options: { fresh?: boolean } = {}): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      this.againFresh ||= options.fresh === true;
      return this.refreshing.then(() => this.refreshing);
    }
    this.refreshing = this.run(reason, options.fresh === true).finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        const fresh = this.againFresh;
        this.again = false;
        this.againFresh = false;
        void this.refresh('queued', { fresh });
      }
      this.scheduleRetry();
    });
    return this.refreshing;
  }

  private async run(reason: string, fresh: boolean): Promise<void> {
    const engine = this.resolve();
    if (this.current.state !== 'ok') this.set({ state: 'connecting', endpoint: engine.describe() });
    const ping = await engine.ping();
    if (ping.state !== 'ok') {
      if (this.current.state !== 'unavailable') this.log.info(`Docker engine unavailable (${reason}): ${ping.message}`);
      this.set({ state: 'unavailable', endpoint: ping.endpoint, message: ping.message });
      return;
    }
    let inventory: LocalInventory;
    try {
      inventory = await engine.listLocal();
    } catch (e) {
      this.lost(e, ping.endpoint);
      return;
    }
    const previous = this.current.state === 'ok' ? this.current.result : undefined;
    this.set({ state: 'ok', engine: ping, inventory, result: previous, checking: true, problem: undefined });
    const started = Date.now();
    try {
      const result = await checkLocal(inventory, {
        client: this.clients.client,
        cache: this.checker.cacheStore(),
        rules: this.checker.rules(),
        ...(fresh ? { ttls: { tagsMs: 0, digestMs: 0, notFoundMs: 0 } } : {}),
      });
      await this.checker.cacheStore().flush?.();
      const outdated = [...result.images, ...result.containers].filter((f) => f.outdated).length;
      this.log.info(
        `Local engine (${reason}): ${inventory.images.length} images, ${inventory.containers.length} running containers, ${outdated} out of date, checked in ${Date.now() - started} ms`,
      );
      this.set({ state: 'ok', engine: ping, inventory, result, checking: false, problem: undefined });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`Local engine check failed: ${message}`);
      this.set({ state: 'ok', engine: ping, inventory, result: previous, checking: false, problem: message });
    }
  }

  private lost(e: unknown, endpoint: string): void {
    const message = e instanceof Error ? e.message : String(e);
    this.log.warn(`Docker engine at ${endpoint}: ${message}`);
    this.set({
      state: 'unavailable',
      endpoint,
      message: isEngineUnavailableError(e) ? message : vscode.l10n.t('The engine stopped answering: {0}', message),
    });
  }

  /**
   * Pulls `ref` with the stored credential for its registry (SecretStorage, then the docker config), reporting
   * progress; rejects with the engine's error (an error event in an HTTP 200 stream is one) or an AbortError.
   */
  async pull(
    ref: string,
    registry: string,
    options: { signal?: AbortSignal; onProgress?: (p: PullProgress) => void; platform?: string } = {},
  ): Promise<PullResult> {
    const engine = this.resolve();
    const auth = await this.clients.credentialFor(registry, options.signal);
    this.log.info(
      `Pulling ${ref} through ${engine.describe()} (${auth ? `credential from ${auth.source}` : 'anonymous'})`,
    );
    try {
      const result = await engine.pull(ref, { ...(auth ? { auth } : {}), ...options });
      this.log.info(
        `Pulled ${ref}: ${result.outcome}${result.digest ? ` (${result.digest})` : ''} in ${result.durationMs} ms`,
      );
      return result;
    } catch (e) {
      if (isAbortError(e)) this.log.info(`Pull of ${ref} cancelled`);
      else this.log.warn(`Pull of ${ref} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (isEngineUnavailableError(e)) this.lost(e, engine.describe());
      throw e;
    }
  }

  private confirmer: Confirm = modalConfirm;

  /** The modal confirmation before a container is changed. */
  confirm(message: string, detail: string, action: string): Thenable<boolean> {
    return this.confirmer(message, detail, action);
  }

  /**
   * For the extension-host tests only: answer the confirmation in place of the user (it is still asked for, with
   * the same message and detail). `undefined` puts the modal dialog back.
   */
  answerConfirmationsForTests(confirm: Confirm | undefined): void {
    this.confirmer = confirm ?? modalConfirm;
  }

  /** The image as the engine has it (for its labels); null when it is gone. */
  inspectImage(ref: string): Promise<ImageInspect | null> {
    return this.resolve().inspectImage(ref);
  }

  /** How a container would be updated (compose or the API, the steps in words), with the credential to pull with. */
  async prepareUpdate(id: string, ref?: string): Promise<{ update: ContainerUpdate; auth: Credential | undefined }> {
    const engine = this.resolve();
    const first = await prepareUpdate(engine, id, ref ? { ref } : {});
    const parsed = tryParseReference(first.plan.ref);
    const auth = parsed instanceof Error ? undefined : await this.clients.credentialFor(parsed.registry);
    const update = await prepareUpdate(engine, id, { ...(ref ? { ref } : {}), credentialSource: auth?.source ?? null });
    return { update, auth };
  }

  /**
   * Updates one container the user chose and confirmed: compose in a visible terminal for a compose-managed one,
   * else recreated through the engine API. Rejects with a RecreateError saying what happened.
   */
  async runUpdate(
    update: ContainerUpdate,
    auth: Credential | undefined,
    options: { signal?: AbortSignal; onStep?: (s: string) => void } = {},
  ): Promise<RecreateResult> {
    const engine = this.resolve();
    const name = update.plan.name;
    const onStep = (step: string) => {
      this.log.info(`Update ${name}: ${step}`);
      options.onStep?.(step);
    };
    this.log.info(
      `Updating ${name} (${update.path === 'compose' ? 'compose' : 'engine API'}) through ${engine.describe()} (${auth ? `credential from ${auth.source}` : 'anonymous'})`,
    );
    for (const w of update.warnings) this.log.warn(`Update ${name}: ${w}`);
    try {
      const result =
        update.path === 'compose'
          ? await updateWithCompose(engine, update, {
              ...(auth ? { auth } : {}),
              ...options,
              onStep,
              run: (c) => runComposeTask(c, name),
            })
          : await recreateContainer(engine, update.plan.id, {
              ...(auth ? { auth } : {}),
              ...options,
              onStep,
              ...(update.plan.ref ? { ref: update.plan.ref } : {}),
            });
      for (const w of result.warnings) this.log.warn(`Update ${name}: ${w}`);
      return result;
    } catch (e) {
      this.log.error(`Update ${name}: ${e instanceof Error ? e.message : String(e)}`);
      if (isEngineUnavailableError(e)) this.lost(e, engine.describe());
      throw e;
    } finally {
      void this.refresh('container updated', { fresh: true });
    }
  }

  dispose(): void {
    if (this.retry) clearTimeout(this.retry);
    this.engine?.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}
