// jsforce ships minimal faye typings; add the Client methods the streaming tests use.
export {};

declare module 'faye' {
  interface Client {
    disable(feature: string): void;
    disconnect(): void;
  }
}
