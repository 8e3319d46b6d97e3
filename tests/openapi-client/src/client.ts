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
  const total: number | null = data.total;
  void total;
  return data.items ?? [];
}

export async function setMode(baseUrl: string, token: string, groupId: number, mode: "delete" | "mute" | "both") {
  const { data, error } = await nezuko(baseUrl, token).POST("/v1/rpc/update_group", {
    body: { p_group_id: groupId, p_params: { mode } },
  });
  if (error) throw new Error(`${error.status}: ${error.detail ?? ""}`);
  const enabled: boolean | null = data.enabled;
  const channels: number[] | null = data.channel_ids;
  return { enabled, channels };
}

export async function settings(baseUrl: string, token: string) {
  const { data } = await nezuko(baseUrl, token).GET("/v1/rpc/list_config");
  return (data ?? []).map((c) => ({ key: c.key, value: c.value, type: c.value_type }));
}

export async function wrongTypesAreRejected(baseUrl: string, token: string) {
  const client = nezuko(baseUrl, token);
  // @ts-expect-error p_limit is an integer, not a string: the types are exact.
  await client.GET("/v1/rpc/list_groups", { params: { query: { p_limit: "ten" } } });
  // @ts-expect-error update_group needs p_group_id.
  await client.POST("/v1/rpc/update_group", { body: { p_enabled: true } });
  // @ts-expect-error no such operation.
  await client.GET("/v1/rpc/no_such_function");
}
