import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const preload = path.resolve(__dirname, "cpu-profile.js");

describe("the CPU profile preload", () => {
  it("writes one profile per process, children included, and nothing without its folder", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cpu-profile-"));
    try {
      const profiles = path.join(dir, "profiles");
      const parent = `require("node:child_process").execFileSync(process.execPath, ["-e", "1"]);`;
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: `--require ${preload}` };
      delete env.MI_LINK_CPU_PROFILE_DIR;
      execFileSync(process.execPath, ["-e", parent], { env: { ...env, MI_LINK_CPU_PROFILE_DIR: profiles } });
      const written = fs.readdirSync(profiles);
      expect(written).toHaveLength(2);
      for (const file of written) {
        expect(file).toMatch(/^\d+-.*\.cpuprofile$/);
        const profile = JSON.parse(fs.readFileSync(path.join(profiles, file), "utf8"));
        expect(profile.nodes.length).toBeGreaterThan(0);
        expect(profile.endTime).toBeGreaterThanOrEqual(profile.startTime);
      }

      execFileSync(process.execPath, ["-e", parent], { env, cwd: dir });
      expect(fs.readdirSync(dir)).toEqual(["profiles"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
