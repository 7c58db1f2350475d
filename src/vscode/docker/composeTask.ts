import * as vscode from 'vscode';
import type { ContainerUpdate } from '../../core';

/**
 * Runs a compose command (`docker compose ... up -d --no-deps SERVICE`) as a task in a terminal the user sees, in
 * the project's directory, pointed at the same engine (DOCKER_HOST and its TLS settings), and resolves with its
 * exit code. The terminal stays open with compose's output.
 */
export async function runComposeTask(c: NonNullable<ContainerUpdate['compose']>, container: string): Promise<number> {
  const definition = { type: 'registryLens.compose', container };
  const execution = new vscode.ProcessExecution(c.command.command, [...c.command.prefix, ...c.args], {
    cwd: c.cwd,
    env: c.env,
  });
  const scope = vscode.workspace.workspaceFolders?.[0] ?? vscode.TaskScope.Workspace;
  const task = new vscode.Task(
    definition,
    scope,
    vscode.l10n.t('Update {0}', container),
    'Registry Lens',
    execution,
    [],
  );
  task.presentationOptions = {
    reveal: vscode.TaskRevealKind.Always,
    focus: false,
    panel: vscode.TaskPanelKind.Dedicated,
    clear: true,
    showReuseMessage: false,
  };
  return new Promise<number>((resolve, reject) => {
    let execution: vscode.TaskExecution | undefined;
    const done = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution !== execution && e.execution.task.definition.container !== container) return;
      done.dispose();
      resolve(e.exitCode ?? 1);
    });
    vscode.tasks.executeTask(task).then(
      (x) => (execution = x),
      (e: unknown) => {
        done.dispose();
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
