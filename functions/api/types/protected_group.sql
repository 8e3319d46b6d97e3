-- api.protected_group: a protected group as the admin API shows it.
create type api.protected_group as (
    group_id bigint,
    title text,
    username text,
    enabled boolean,
    params jsonb,
    member_count integer,
    bot_instance_id bigint,
    health nezuko.health,
    health_reason text,
    channel_ids bigint[],
    last_synced_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz
);
comment on type api.protected_group is 'A protected group: settings (params), health and the ids of its enforced channels.
@nullable title, username, member_count, bot_instance_id, health_reason, last_synced_at';
