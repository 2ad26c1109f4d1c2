/**
 * What one observation of a link means: the secondary's row whichever side is primary, the
 * readiness levels, and the evidence and fix of a wait that ran out of time.
 */
import { describe, expect, it } from "vitest";
import {
  describeObservation,
  isReady,
  observeLink,
  timeoutMessage,
  type LinkObservation,
} from "../../src/dynamic/link-readiness-evidence";
import type { LinkDatabaseState, LinkState } from "../../src/sql";

function databaseRow(fields: Partial<LinkDatabaseState>): LinkDatabaseState {
  return {
    database: "Sales",
    agName: "AG_Sales",
    isLocal: true,
    isPrimaryReplica: true,
    synchronizationState: "SYNCHRONIZED",
    synchronizationHealth: "HEALTHY",
    databaseState: "ONLINE",
    isSuspended: false,
    suspendReason: null,
    lastHardenedLsn: "1000",
    lastHardenedTime: null,
    endOfLogLsn: "1000",
    logSendQueueSizeKb: 0,
    redoQueueSizeKb: 0,
    secondaryLagSeconds: 0,
    ...fields,
  };
}

function linkState(localPrimary: boolean, connected: boolean): LinkState {
  return {
    dagName: "DAG_Sales",
    replicas: [
      {
        agName: "AG_Sales",
        isLocal: true,
        role: localPrimary ? "PRIMARY" : "SECONDARY",
        connectedState: "CONNECTED",
        synchronizationHealth: "HEALTHY",
        lastConnectError: null,
      },
      {
        agName: "AG_Sales_MI",
        isLocal: false,
        role: localPrimary ? "SECONDARY" : "PRIMARY",
        connectedState: connected ? "CONNECTED" : "DISCONNECTED",
        synchronizationHealth: null,
        lastConnectError: connected
          ? null
          : { number: 41973, description: "Not imported on the MI.", timestamp: null },
      },
    ],
    databases: [
      databaseRow({
        agName: "AG_Sales",
        isLocal: true,
        isPrimaryReplica: localPrimary,
        synchronizationState: localPrimary ? "SYNCHRONIZED" : "SYNCHRONIZING",
        lastHardenedLsn: "2000",
      }),
      databaseRow({
        agName: "AG_Sales_MI",
        isLocal: false,
        isPrimaryReplica: !localPrimary,
        synchronizationState: localPrimary ? "SYNCHRONIZING" : "SYNCHRONIZED",
        lastHardenedLsn: "1990",
      }),
      databaseRow({ database: "Other", isPrimaryReplica: false, synchronizationState: "NOT SYNCHRONIZING" }),
    ],
    seeding: [
      {
        startTime: null,
        completionTime: null,
        currentState: "COMPLETED",
        failureState: null,
        errorCode: null,
        numberOfAttempts: 1,
        isSource: localPrimary,
        transferredBytes: null,
        databaseBytes: null,
        progressPercent: 100,
      },
    ],
  };
}

describe("observeLink", () => {
  it("reads the secondary's row: the managed instance's when SQL Server is primary", () => {
    expect(observeLink(linkState(true, true), "sales")).toMatchObject({
      dagExists: true,
      connectedState: "CONNECTED",
      synchronizationState: "SYNCHRONIZING",
      lastHardenedLsn: "1990",
      seedingProgressPercent: 100,
    });
  });

  it("reads SQL Server's own row when the managed instance is primary", () => {
    expect(observeLink(linkState(false, true), "Sales")).toMatchObject({
      synchronizationState: "SYNCHRONIZING",
      lastHardenedLsn: "2000",
    });
  });

  it("reports a missing distributed availability group", () => {
    const missing = observeLink(null, "Sales");
    expect(missing.dagExists).toBe(false);
    expect(isReady(missing, "CONNECTED")).toBe(false);
    expect(timeoutMessage("DAG_Sales", "Sales", "CONNECTED", 10, missing)).toMatch(
      /does not exist\. Create the distributed availability group/,
    );
  });
});

describe("isReady", () => {
  const at = (connectedState: string, synchronizationState: string | null) =>
    ({ ...observeLink(null, "x"), dagExists: true, connectedState, synchronizationState }) as LinkObservation;
  it("orders the levels", () => {
    expect(isReady(at("CONNECTED", "NOT SYNCHRONIZING"), "CONNECTED")).toBe(true);
    expect(isReady(at("CONNECTED", "NOT SYNCHRONIZING"), "SYNCHRONIZING")).toBe(false);
    expect(isReady(at("CONNECTED", "SYNCHRONIZED"), "SYNCHRONIZING")).toBe(true);
    expect(isReady(at("CONNECTED", "SYNCHRONIZING"), "SYNCHRONIZED")).toBe(false);
    expect(isReady(at("DISCONNECTED", "SYNCHRONIZED"), "CONNECTED")).toBe(false);
  });
});

describe("timeoutMessage", () => {
  it("gives the connection error and its fix while disconnected", () => {
    const observation = observeLink(linkState(true, false), "Sales");
    expect(describeObservation(observation)).toBe(
      "managed instance replica DISCONNECTED; database SYNCHRONIZING; seeding COMPLETED 100%; last connection error 41973: Not imported on the MI",
    );
    expect(timeoutMessage("DAG_Sales", "Sales", "SYNCHRONIZING", 600, observation)).toMatch(
      /within 600 s: .*41973.*upload its public key as a server trust certificate/,
    );
  });

  it("points at seeding once connected", () => {
    const observation = {
      ...observeLink(linkState(true, true), "Sales"),
      synchronizationState: "NOT SYNCHRONIZING",
    };
    expect(timeoutMessage("DAG_Sales", "Sales", "SYNCHRONIZING", 5, observation)).toMatch(
      /seeding may still be running/,
    );
    const truncated = { ...observation, seedingState: "FAILED", seedingErrorCode: 1412 };
    expect(timeoutMessage("DAG_Sales", "Sales", "SYNCHRONIZING", 5, truncated)).toMatch(
      /error 1412\. The log was truncated during seeding: drop and recreate the link/,
    );
  });
});
