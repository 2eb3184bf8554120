// The webview's end of the postMessage channel, typed by the panel's protocol (common/protocol/panels.ts).

export interface PanelChannel<State, Outbound> {
  post(message: Outbound): void;
  getState(): State | undefined;
  setState(state: State): void;
  /** Calls `handler` with each message the host posts. */
  onMessage<Inbound>(handler: (message: Inbound) => void): void;
}

export function connect<State, Outbound>(): PanelChannel<State, Outbound> {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message) => api.postMessage(message),
    getState: () => api.getState(),
    setState: (state) => void api.setState(state),
    onMessage: <Inbound>(handler: (message: Inbound) => void) =>
      window.addEventListener('message', (event: MessageEvent<Inbound>) => handler(event.data)),
  };
}

/** Calls `save` at most once per `intervalMs`, and always with the latest state (trailing call). */
export function throttled(save: () => void, intervalMs: number): { request(): void; flush(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const run = (): void => {
    timer = undefined;
    last = performance.now();
    save();
  };
  return {
    request() {
      if (timer !== undefined) return;
      timer = setTimeout(run, Math.max(0, last + intervalMs - performance.now()));
    },
    flush() {
      if (timer !== undefined) clearTimeout(timer);
      run();
    },
  };
}
