// The parts of the engine's container and image inspect answers (and of the create body) that recreating a
// container reads and writes. Plain JSON as the Engine API documents it (https://docs.docker.com/reference/api/engine/),
// loose on purpose: fields we do not name are carried over untouched.

export interface EndpointSettings {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links?: string[] | null;
  Aliases?: string[] | null;
  DriverOpts?: Record<string, string> | null;
  NetworkID?: string;
  MacAddress?: string;
  [key: string]: unknown;
}

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
}

/** `Config` of a container or an image. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | string | null;
  Image?: string;
  Labels?: Record<string, string> | null;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  ExposedPorts?: Record<string, object> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  Healthcheck?: HealthConfig | null;
  [key: string]: unknown;
}

export interface HostConfigLike {
  Binds?: string[] | null;
  Mounts?: Array<{
    Type?: string;
    Source?: string;
    Target?: string;
    ReadOnly?: boolean;
    [key: string]: unknown;
  }> | null;
  PortBindings?: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null;
  NetworkMode?: string;
  AutoRemove?: boolean;
  Links?: string[] | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  [key: string]: unknown;
}

export interface ContainerInspect {
  Id: string;
  /** With the leading `/`. */
  Name: string;
  /** The image the container runs (`sha256:…`). */
  Image: string;
  Created?: string;
  State: {
    Status?: string;
    Running?: boolean;
    Paused?: boolean;
    Restarting?: boolean;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
  };
  RestartCount?: number;
  Config: ContainerConfig;
  HostConfig: HostConfigLike;
  NetworkSettings?: { Networks?: Record<string, EndpointSettings> | null };
  Mounts?: Array<{
    Type?: string;
    Name?: string;
    Source?: string;
    Destination?: string;
    RW?: boolean;
    Driver?: string;
  }>;
}

export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  RepoDigests?: string[] | null;
  Config?: ContainerConfig | null;
}

/** `POST /containers/create` (the name goes in the query). */
export interface ContainerCreateBody extends ContainerConfig {
  HostConfig?: HostConfigLike;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings> };
}
