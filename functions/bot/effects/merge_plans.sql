-- bot.merge_plans: two partial decisions as one: calls appended, the
-- records that point at calls (by index) shifted accordingly, verification
-- rows (bot.write_verifications) of both kept, flags kept.
create function bot.merge_plans(p_a jsonb, p_b jsonb) returns jsonb
language sql immutable as $$
    select coalesce(p_a, '{}') || coalesce(p_b, '{}') || jsonb_build_object(
        'calls', coalesce(p_a->'calls', '[]') || coalesce(p_b->'calls', '[]'),
        'record', coalesce(p_a->'record', '[]') || coalesce((
            select jsonb_agg(r || jsonb_build_object('call', (r->>'call')::int + jsonb_array_length(coalesce(p_a->'calls', '[]'))))
            from jsonb_array_elements(p_b->'record') r), '[]'))
    || case when p_a ? 'verifications' or p_b ? 'verifications' then jsonb_build_object('verifications',
            coalesce(p_a->'verifications', '[]') || coalesce(p_b->'verifications', '[]')) else '{}' end
$$;
grant execute on function bot.merge_plans(jsonb, jsonb) to nezuko_bridge;
