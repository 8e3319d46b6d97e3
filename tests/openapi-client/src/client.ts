// A small dashboard client, type-checked against the types that
// openapi-typescript generates from openapi/openapi.yaml. If the document
// stops describing what the frontend relies on, `tsc` fails here.
import createClient from "openapi-fetch";
import type { components, paths } from "./nezuko";

export type ProtectedGroup = components["schemas"]["ProtectedGroup"];
export type Problem = components["schemas"]["ErrorModel"];

export function nezuko(baseUrl: string, token?: string) {
  return createClient<paths>({
    baseUrl,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

export async function login(baseUrl: string, email: string, password: string): Promise<string> {
  const { data, error } = await nezuko(baseUrl).POST("/v1/auth/login", { body: { email, password } });
  if (error) throw new Error(`login failed: ${error.status} ${error.detail ?? ""}`);
  const expires: string = data.expires_at;
  void expires;
  return data.token;
}

export async function disabledGroups(baseUrl: string, token: string): Promise<ProtectedGroup[]> {
  const { data, error } = await nezuko(baseUrl, token).GET("/v1/rpc/list_groups", {
    params: { query: { p_enabled: false, p_limit: 100, p_offset: 0 } },
  });
  if (error) throw new Error(`${error.status}: ${error.detail ?? ""}`);
  const total: number = data.total;
  void total;
  // Strict mode, no "!" and no "?? []": items is a required, non-null array.
  return data.items.map((g) => g);
}

export async function setMode(baseUrl: string, token: string, groupId: number, mode: "delete" | "mute" | "both") {
  const { data, error } = await nezuko(baseUrl, token).POST("/v1/rpc/update_group", {
    body: { p_group_id: groupId, p_params: { mode } },
  });
  if (error) throw new Error(`${error.status}: ${error.detail ?? ""}`);
  const enabled: boolean = data.enabled;
  const channels: number[] = data.channel_ids;
  return { enabled, channels };
}

export async function settings(baseUrl: string, token: string) {
  const { data } = await nezuko(baseUrl, token).GET("/v1/rpc/list_config");
  return (data ?? []).map((c) => ({ key: c.key, value: c.value, type: c.value_type }));
}

// Fields the SQL declares nullable (@nullable) stay nullable; choices are
// unions of literals, so a typo does not compile (see wrongTypesAreRejected).
export async function groupHealth(baseUrl: string, token: string) {
  const { data, error } = await nezuko(baseUrl, token).GET("/v1/rpc/list_groups");
  if (error) throw new Error(`${error.status} ${error.code}: ${error.detail ?? ""}`);
  return data.items.map((g) => {
    const title: string | null = g.title;
    const health: "ok" | "warning" | "error" = g.health;
    return { title: title ?? String(g.group_id), unhealthy: health !== "ok", reason: g.health_reason };
  });
}

export async function trend(baseUrl: string, token: string, period: Period, granularity: Granularity) {
  const { data, error } = await nezuko(baseUrl, token).GET("/v1/rpc/get_verification_trends", {
    params: { query: { p_period: period, p_granularity: granularity } },
  });
  if (error) throw new Error(`${error.status} ${error.code}`);
  const rate: number = data.summary.success_rate;
  return { rate, points: data.series.map((p) => ({ at: new Date(p.timestamp), total: p.total })) };
}

export type Period = components["schemas"]["Period"];
export type Granularity = components["schemas"]["Granularity"];

export async function onlineBots(baseUrl: string, token: string): Promise<number> {
  const { data, error } = await nezuko(baseUrl, token).GET("/v1/rpc/list_bots");
  if (error) throw new Error(`${error.status} ${error.code}`);
  return data.items.filter((b) => b.status === "online").length;
}

export async function pendingCommands(baseUrl: string, token: string) {
  const { data, error } = await nezuko(baseUrl, token).GET("/v1/rpc/list_commands", {
    params: { query: { p_status: "pending", p_limit: 10 } },
  });
  if (error) throw new Error(`${error.status} ${error.code}`);
  const total: number = data.total;
  return { total, ids: data.items.map((c) => c.id) };
}

export async function wrongTypesAreRejected(baseUrl: string, token: string) {
  const client = nezuko(baseUrl, token);
  // @ts-expect-error p_limit is an integer, not a string: the types are exact.
  await client.GET("/v1/rpc/list_groups", { params: { query: { p_limit: "ten" } } });
  // @ts-expect-error update_group needs p_group_id.
  await client.POST("/v1/rpc/update_group", { body: { p_enabled: true } });
  // @ts-expect-error no such operation.
  await client.GET("/v1/rpc/no_such_function");
  // @ts-expect-error p_period is one of 24h, 7d, 30d, 90d.
  await client.GET("/v1/rpc/get_chart_data", { params: { query: { p_period: "1w" } } });
  const { data } = await client.GET("/v1/rpc/list_bots");
  // @ts-expect-error "onlin" is not a bot status.
  void data?.items.filter((b) => b.status === "onlin");
}
