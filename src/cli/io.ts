/** What a CLI command may touch of its process: output, the working folder, the environment. Tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  /**
   * Resolves when standard output has room again (a pipe whose reader is slower than we write): long outputs wait
   * on it between chunks instead of holding all of their text in memory. Absent: never wait.
   */
  drain?: () => Promise<void>;
  stderr: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}
