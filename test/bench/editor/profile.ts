import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import * as path from 'node:path';

/**
 * Optional profiles of the editor bench's phases inside the extension host: set REGISTRY_LENS_BENCH_PROFILE to a
 * folder and each phase writes `<phase>.cpuprofile` (open it in Chrome's DevTools, Performance tab) and
 * `<phase>.heapprofile` (sampled allocations still alive at the phase's end, DevTools' Memory tab).
 */
export class PhaseProfiler {
  private readonly session: inspector.Session | undefined;
  private readonly dir = process.env.REGISTRY_LENS_BENCH_PROFILE;

  constructor() {
    if (!this.dir) return;
    fs.mkdirSync(this.dir, { recursive: true });
    this.session = new inspector.Session();
    this.session.connect();
  }

  private post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) =>
      this.session!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T))),
    );
  }

  async start(): Promise<void> {
    if (!this.session) return;
    await this.post('Profiler.enable');
    await this.post('Profiler.setSamplingInterval', { interval: 500 });
    await this.post('Profiler.start');
    await this.post('HeapProfiler.enable');
    await this.post('HeapProfiler.startSampling', { samplingInterval: 64 * 1024 });
  }

  /** Ends the phase, writes its profiles, and starts the next one. */
  async phase(name: string): Promise<void> {
    if (!this.session || !this.dir) return;
    const { profile } = await this.post<{ profile: unknown }>('Profiler.stop');
    fs.writeFileSync(path.join(this.dir, `${name}.cpuprofile`), JSON.stringify(profile));
    const heap = await this.post<{ profile: unknown }>('HeapProfiler.stopSampling');
    fs.writeFileSync(path.join(this.dir, `${name}.heapprofile`), JSON.stringify(heap.profile));
    await this.start();
  }
}
