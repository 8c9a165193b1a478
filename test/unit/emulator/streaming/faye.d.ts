// faye ships no types; only what the streaming tests use.
declare module 'faye' {
  interface Extension {
    incoming?(message: Record<string, unknown>, callback: (message: Record<string, unknown>) => void): void;
    outgoing?(message: Record<string, unknown>, callback: (message: Record<string, unknown>) => void): void;
  }
  interface Subscription extends PromiseLike<void> {
    cancel(): void;
    withChannel(callback: (channel: string, message: unknown) => void): Subscription;
  }
  export class Client {
    constructor(endpoint: string, options?: Record<string, unknown>);
    setHeader(name: string, value: string): void;
    addExtension(extension: Extension): void;
    disable(feature: string): void;
    subscribe(channel: string, listener: (message: unknown) => void): Subscription;
    on(event: 'transport:down' | 'transport:up', listener: () => void): void;
    disconnect(): void;
    getClientId(): string | undefined;
  }
  const faye: { Client: typeof Client };
  export default faye;
}
