import { describe, expect, it } from "vitest";
import { TlsFlightTracker } from "./tls-flight";

const record = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type, 0x03, 0x03, body.length >> 8, body.length & 0xff]), body]);
const handshake = (type: number, length: number) =>
  Buffer.concat([Buffer.from([type, 0, length >> 8, length & 0xff]), Buffer.alloc(length)]);

describe("TLS flight boundaries", () => {
  const tracker = new TlsFlightTracker();

  it("the first server flight ends with ServerHelloDone, even when messages span records", () => {
    const messages = Buffer.concat([
      handshake(2, 70),
      handshake(11, 900),
      handshake(12, 300),
      handshake(14, 0),
    ]);
    const split = [messages.subarray(0, 500), messages.subarray(500)];
    expect(tracker.classify(record(0x16, split[0]))).toBe("incomplete");
    expect(tracker.classify(Buffer.concat([record(0x16, split[0]), record(0x16, split[1])]))).toBe(
      "hello-done",
    );
  });

  it("the last flight ends with the encrypted Finished after ChangeCipherSpec (ticket or not)", () => {
    const ccs = record(0x14, Buffer.from([1]));
    const ticket = record(0x16, handshake(4, 100));
    expect(tracker.classify(Buffer.concat([ticket, ccs]))).toBe("incomplete");
    expect(tracker.classify(Buffer.concat([ticket, ccs, record(0x16, Buffer.alloc(40))]))).toBe("finished");
  });

  it("a partial record is incomplete; an alert ends the flight", () => {
    expect(tracker.classify(record(0x16, handshake(14, 0)).subarray(0, 6))).toBe("incomplete");
    expect(tracker.classify(record(0x15, Buffer.from([2, 40])))).toBe("alert");
  });
});
