import * as net from "node:net";

export interface RecordingProxy {
  port: number;
  /** Everything clients sent, concatenated. */
  fromClients(): Buffer;
  /** Everything the server sent back, concatenated. */
  fromServer(): Buffer;
  close(): Promise<void>;
}

/** A loopback TCP relay that records both directions, to inspect what really crosses the wire. */
export async function startRecordingProxy(
  targetPort: number,
  targetHost = "127.0.0.1",
): Promise<RecordingProxy> {
  const up: Buffer[] = [];
  const down: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect(targetPort, targetHost);
    sockets.add(client).add(target);
    client.on("data", (chunk: Buffer) => {
      up.push(chunk);
      target.write(chunk);
    });
    target.on("data", (chunk: Buffer) => {
      down.push(chunk);
      client.write(chunk);
    });
    const closeBoth = () => {
      client.destroy();
      target.destroy();
    };
    client.on("close", closeBoth).on("error", closeBoth);
    target.on("close", closeBoth).on("error", closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    fromClients: () => Buffer.concat(up),
    fromServer: () => Buffer.concat(down),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
