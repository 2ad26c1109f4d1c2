/**
 * Replicates one SQL Server database to an Azure SQL Managed Instance through the Managed Instance link (SQL Server is the initial primary; failover and fail back stay possible).
 *
 * Config keys: see README.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { MiLink } from "pulumi-mi-link";

const cfg = new pulumi.Config();

/** SQL Server as this program reaches it, and as the managed instance reaches its mirroring endpoint. */
const sqlServer = {
  host: cfg.require("sqlHost"),
  port: cfg.getNumber("sqlPort") ?? 1433,
  user: cfg.require("sqlUser"),
  // The name of the secret config key, not its value: the providers read it from the stack
  // config, so the password appears in no resource input, state entry or provider reply.
  passwordConfig: "sqlPassword",
  encrypt: true,
  trustServerCertificate: cfg.getBoolean("trustServerCertificate") ?? false,
  endpointHost: cfg.require("endpointHost"),
  endpointPort: cfg.getNumber("endpointPort") ?? 5022,
};

// A token for the ARM calls azure-native lacks, by config key name too (default: DefaultAzureCredential).
const hasArmAccessToken = cfg.getSecret("armAccessToken") !== undefined;
/** The managed instance. The ARM settings are only needed off Azure's public cloud (or in a rehearsal). */
const managedInstance = {
  resourceGroupName: cfg.require("resourceGroupName"),
  name: cfg.require("managedInstanceName"),
  subscriptionId: cfg.get("subscriptionId"),
  armEndpoint: cfg.get("armEndpoint"),
  tlsCaPem: cfg.get("armTlsCaPem"),
  ...(hasArmAccessToken ? { accessTokenConfig: "armAccessToken" } : {}),
};

/** Where a database without a full backup since entering FULL recovery gets one. */
const backupDisk = cfg.get("backupDisk");

const link = new MiLink("sales", {
  sqlServer,
  managedInstance,
  databases: cfg.getObject<string[]>("databases") ?? ["Sales"],
  masterKeyPasswordConfig: "masterKeyPassword",
  certificateExpiry: cfg.get("certificateExpiry") ?? "2028-12-31",
  initialPrimary: "SqlServer",
  failoverMode: "Manual",
  replicationMode: "Async",
  ...(backupDisk ? { backupTarget: { disk: backupDisk } } : {}),
});

/** Per database: the names on both sides, the Azure link id and the observed replication state. */
export const links = link.links;
