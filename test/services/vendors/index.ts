// The vendor emulators, started together: one https listener per vendor (plus an http one where the vendor has
// plain-HTTP behaviour), a certificate for all their host names, and the REGISTRY_LENS_TEST_RESOLVE value that
// points the client at them. Everything on 127.0.0.1; stopped by close().
//
//   const v = await startVendors(dir);      // v.resolve, v.certs.caFile, v.get('ghcr').seen
//   ...
//   await v.close();
import { listen, makeVendorCerts, type Listener, type SeenRequest, type VendorCerts } from './emulator';
import { ALL_VENDORS, ECR_HOST, type VendorSpec } from './vendors';

export * from './emulator';
export * from './vendors';

export type VendorName = keyof typeof ALL_VENDORS;

/**
 * The only origins a credential may reach, per vendor: its registry and its token realm (none for vendors whose
 * scenarios are anonymous). The fault checks of the client and CLI tiers compare every Authorization seen with it.
 */
export const CREDENTIAL_ORIGINS: Readonly<Record<VendorName, readonly string[]>> = {
  dockerHub: ['https://auth.docker.io', 'https://registry-1.docker.io'],
  ghcr: ['https://ghcr.io'],
  ecr: [`https://${ECR_HOST}`],
  redHat: [],
  quay: ['https://quay.io'],
  harbor: ['https://harbor.example'],
  gitlab: ['https://gitlab.example', 'https://registry.gitlab.example'],
  artifactory: [],
  nexus: [],
  artifactRegistry: ['https://europe-docker.pkg.dev'],
  acr: ['https://acme.azurecr.io'],
};

export interface RunningVendor {
  spec: VendorSpec;
  /** Every request this vendor's listeners saw, in order. */
  seen: SeenRequest[];
  httpsPort: number;
  httpPort?: number;
}

export interface Vendors {
  certs: VendorCerts;
  /** `host:port=127.0.0.1:port,...` for REGISTRY_LENS_TEST_RESOLVE. */
  resolve: string;
  get(name: VendorName): RunningVendor;
  all(): RunningVendor[];
  close(): Promise<void>;
}

export async function startVendors(dir: string, specs: Partial<Record<VendorName, VendorSpec>> = {}): Promise<Vendors> {
  const chosen = Object.fromEntries(
    Object.entries(ALL_VENDORS).map(([n, make]) => [n, specs[n as VendorName] ?? make()]),
  ) as Record<VendorName, VendorSpec>;
  const certs = await makeVendorCerts(
    dir,
    Object.values(chosen).flatMap((s) => s.httpsHosts),
  );
  const listeners: Listener[] = [];
  const running = new Map<VendorName, RunningVendor>();
  const pairs: string[] = [];
  try {
    for (const [name, spec] of Object.entries(chosen) as [VendorName, VendorSpec][]) {
      const seen: SeenRequest[] = [];
      const handler = (req: Parameters<VendorSpec['handle']>[0], res: Parameters<VendorSpec['handle']>[1]) =>
        spec.handle(req, res);
      const tls = await listen(handler, seen, certs);
      listeners.push(tls);
      for (const h of spec.httpsHosts) pairs.push(`${h}:443=127.0.0.1:${tls.port}`);
      let httpPort: number | undefined;
      if (spec.httpHosts?.length) {
        const plain = await listen(handler, seen);
        listeners.push(plain);
        httpPort = plain.port;
        for (const h of spec.httpHosts) pairs.push(`${h}:80=127.0.0.1:${plain.port}`);
      }
      running.set(name, { spec, seen, httpsPort: tls.port, ...(httpPort !== undefined ? { httpPort } : {}) });
    }
  } catch (e) {
    await Promise.all(listeners.map((l) => l.close()));
    throw e;
  }
  return {
    certs,
    resolve: pairs.join(','),
    get: (name) => {
      const r = running.get(name);
      if (!r) throw new Error(`no vendor ${name}`);
      return r;
    },
    all: () => [...running.values()],
    close: async () => {
      await Promise.all(listeners.map((l) => l.close()));
    },
  };
}
