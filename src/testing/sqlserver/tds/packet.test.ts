import { describe, expect, it } from "vitest";
import { MessageReader, encodeMessage, type TdsMessage } from "./packet";
import { PacketType, negotiateTdsVersion } from "./protocol";

describe("packets", () => {
  it("splits a message into packets of the negotiated size, EOM only on the last", () => {
    const data = Buffer.alloc(10_000, 0xab);
    const wire = encodeMessage(PacketType.TabularResult, data, 4096, 53);
    const packets: Buffer[] = [];
    for (let at = 0; at < wire.length; at += wire.readUInt16BE(at + 2)) {
      packets.push(wire.subarray(at, at + wire.readUInt16BE(at + 2)));
    }
    expect(packets.map((p) => p.length)).toEqual([4096, 4096, 10_000 - 2 * 4088 + 8]);
    expect(packets.map((p) => p[1])).toEqual([0, 0, 1]);
    expect(packets.map((p) => p[6])).toEqual([1, 2, 3]);
    expect(packets.every((p) => p[0] === PacketType.TabularResult && p.readUInt16BE(4) === 53)).toBe(true);
  });

  it("an empty message is one header-only packet", () => {
    const wire = encodeMessage(PacketType.TabularResult, Buffer.alloc(0), 4096);
    expect([...wire]).toEqual([0x04, 0x01, 0x00, 0x08, 0, 0, 1, 0]);
  });

  it("reassembles messages whatever the chunking of the byte stream", () => {
    const first = Buffer.from("a".repeat(9000));
    const second = Buffer.from("second message");
    const wire = Buffer.concat([
      encodeMessage(PacketType.SqlBatch, first, 512),
      encodeMessage(PacketType.Rpc, second, 512),
    ]);
    for (const chunkSize of [1, 7, 512, 4096, wire.length]) {
      const messages: TdsMessage[] = [];
      const reader = new MessageReader((m) => messages.push(m));
      for (let at = 0; at < wire.length; at += chunkSize) reader.push(wire.subarray(at, at + chunkSize));
      expect(messages.map((m) => [m.type, m.data.toString()])).toEqual([
        [PacketType.SqlBatch, first.toString()],
        [PacketType.Rpc, second.toString()],
      ]);
      expect(reader.buffered).toBe(0);
    }
  });

  it("flags a message the client abandoned with the IGNORE bit", () => {
    const messages: TdsMessage[] = [];
    const reader = new MessageReader((m) => messages.push(m));
    const wire = encodeMessage(PacketType.SqlBatch, Buffer.from("abandoned"), 4096);
    wire[1] |= 0x02;
    reader.push(wire);
    reader.push(encodeMessage(PacketType.SqlBatch, Buffer.from("next"), 4096));
    expect(messages.map((m) => m.ignored)).toEqual([true, false]);
  });

  it("rejects a packet whose length is shorter than its header", () => {
    const reader = new MessageReader(() => undefined);
    expect(() => reader.push(Buffer.from([1, 1, 0, 4, 0, 0, 1, 0]))).toThrow(/Invalid TDS packet length/);
  });
});

describe("TDS version negotiation", () => {
  it("follows a 7.2/7.3 client down, answers 7.4 to 7.4, TDS 8 and newer, refuses older than 7.2", () => {
    expect(negotiateTdsVersion(0x72090002)).toBe(0x72090002);
    expect(negotiateTdsVersion(0x730b0003)).toBe(0x730b0003);
    expect(negotiateTdsVersion(0x74000004)).toBe(0x74000004);
    expect(negotiateTdsVersion(0x08000000)).toBe(0x74000004);
    expect(negotiateTdsVersion(0x75000000)).toBe(0x74000004);
    expect(negotiateTdsVersion(0x71000001)).toBeUndefined();
  });
});
