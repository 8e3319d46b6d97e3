-- Group settings as a registry, like admin_config and command_types: one row
-- per setting says its type, default, allowed values and meaning. The CHECK
-- on protected_groups.params (nezuko.check_group_params), the effective
-- settings (bot.settings), /settings and the API (api.list_group_settings)
-- all read it, so adding a setting is one INSERT here.

create table nezuko.group_settings (
    name           text primary key check (name ~ '^[a-z_]+$'),
    position       integer not null unique,
    value_type     text not null check (value_type in ('enum', 'integer', 'boolean', 'text', 'id_list', 'language')),
    default_value  jsonb not null,
    allowed_values text[],
    min_value      bigint,
    max_value      bigint,
    description    text not null,
    constraint enum_has_choices check (value_type <> 'enum' or cardinality(allowed_values) > 0),
    constraint range_is_ordered check (min_value is null or max_value is null or min_value <= max_value)
);
comment on table nezuko.group_settings is
    'The per-group settings (protected_groups.params) a group admin may change: type, default, allowed values, description. Read by the params CHECK, bot.settings, /settings and api.list_group_settings.';
comment on column nezuko.group_settings.position is 'Order in /settings and the API.';
comment on column nezuko.group_settings.value_type is
    'enum (one of allowed_values), integer (min_value..max_value, or one of allowed_values), boolean, text (min_value..max_value characters), id_list (array of Telegram ids), language (a language with a complete set of bot_texts).';
comment on column nezuko.group_settings.default_value is 'The value when the group''s params do not set it. JSON null: no value (prompt_text: the language''s own prompt).';
comment on column nezuko.group_settings.allowed_values is 'enum: the choices. integer: values accepted outside min_value..max_value (0 = "until subscribed").';

insert into nezuko.group_settings (name, position, value_type, default_value, allowed_values, min_value, max_value, description) values
    ('mode', 1, 'enum', '"mute"', '{delete,mute,both}', null, null,
     'What happens to a non-subscriber''s message: delete it, mute the sender, or both.'),
    ('language', 2, 'language', '"en"', null, null, null,
     'The language of everything the bot writes in the group (prompts, buttons, command replies). Set by /protect to the admin''s language when the bot speaks it.'),
    ('mute_duration_seconds', 3, 'integer', '0', '{0}', 30, 31622400,
     'How long a mute lasts: 0 = until subscribed; Telegram treats under 30 s or over 366 days as forever.'),
    ('verify_on_join', 4, 'boolean', 'true', null, null, null,
     'Check a member when they join the group, not only at their first message.'),
    ('join_request_gating', 5, 'boolean', 'false', null, null, null,
     'Approve join requests only for subscribers (decline the others, telling them which channels to join).'),
    ('fail_mode', 6, 'enum', '"open"', '{open,closed}', null, null,
     'When a channel cannot be checked (the bot is not its admin): open lets the member write, closed treats them as not subscribed.'),
    ('sender_chat_action', 7, 'enum', '"delete"', '{delete,ban,allow}', null, null,
     'A message sent as a chat other than the group, its linked channel or a whitelisted channel: delete it, delete it and ban that chat (banChatSenderChat), or allow it.'),
    ('prompt_text', 8, 'text', 'null', null, 1, 2048,
     'A custom prompt instead of the language''s own; placeholders {mention} {name} {group} {channels}.'),
    ('auto_delete_seconds', 9, 'integer', '0', null, 0, 86400,
     'Delete the bot''s own prompts and replies after this many seconds (0 = never).'),
    ('whitelist', 10, 'id_list', '[]', null, null, null,
     'Users (and chats, for messages sent as a channel) never restricted here, by Telegram id.');

-- What is wrong with one setting's value, as a text key and its arguments
-- (so the bot can say it in the group's language), or null when valid.
create function nezuko.group_setting_problem(p_name text, p_value jsonb) returns jsonb
language plpgsql stable as $$
declare
    s nezuko.group_settings;
    v_langs text[];
begin
    select * into s from nezuko.group_settings where name = p_name;
    if not found then
        return jsonb_build_object('key', 'settings.unknown', 'args', jsonb_build_object('name', p_name,
            'names', (select string_agg(name, ', ' order by position) from nezuko.group_settings)));
    end if;
    case s.value_type
    when 'enum' then
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (s.allowed_values) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(s.allowed_values, ', ')));
    when 'language' then
        v_langs := nezuko.text_languages();
        if jsonb_typeof(p_value) = 'string' and p_value #>> '{}' = any (v_langs) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.one_of', 'args',
            jsonb_build_object('name', p_name, 'values', array_to_string(v_langs, ', ')));
    when 'boolean' then
        if jsonb_typeof(p_value) = 'boolean' then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.on_off', 'args', jsonb_build_object('name', p_name));
    when 'integer' then
        if jsonb_typeof(p_value) = 'number' and (p_value #>> '{}')::numeric = trunc((p_value #>> '{}')::numeric)
           and ((p_value #>> '{}')::numeric between coalesce(s.min_value, -9223372036854775808) and coalesce(s.max_value, 9223372036854775807)
                or p_value #>> '{}' = any (coalesce(s.allowed_values, '{}'))) then
            return null;
        end if;
        if cardinality(s.allowed_values) > 0 then
            return jsonb_build_object('key', 'settings.number_or', 'args', jsonb_build_object('name', p_name,
                'values', array_to_string(s.allowed_values, ', '), 'min', s.min_value, 'max', s.max_value));
        end if;
        return jsonb_build_object('key', 'settings.number', 'args',
            jsonb_build_object('name', p_name, 'min', s.min_value, 'max', s.max_value));
    when 'text' then
        if jsonb_typeof(p_value) = 'string'
           and length(p_value #>> '{}') between coalesce(s.min_value, 0) and coalesce(s.max_value, 4096) then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.text_length', 'args',
            jsonb_build_object('name', p_name, 'min', coalesce(s.min_value, 0), 'max', coalesce(s.max_value, 4096)));
    when 'id_list' then
        if jsonb_typeof(p_value) = 'array' and not exists (
                select from jsonb_array_elements(p_value) e
                where jsonb_typeof(e) <> 'number' or e::text !~ '^-?[0-9]{1,19}$') then
            return null;
        end if;
        return jsonb_build_object('key', 'settings.id_list', 'args', jsonb_build_object('name', p_name));
    end case;
end
$$;
comment on function nezuko.group_setting_problem(text, jsonb) is
    'Checks one group setting against the registry (nezuko.group_settings): null when valid, else {key, args} naming the problem as a bot_texts key.';

-- The params CHECK, now read from the registry. Errors are English
-- (bot_texts, language en), SQLSTATE 22023, naming the setting.
create or replace function nezuko.check_group_params(p jsonb) returns boolean
language plpgsql stable as $$
declare
    k text;
    v jsonb;
    v_problem jsonb;
    v_msg text;
    a record;
begin
    if jsonb_typeof(p) is distinct from 'object' then
        raise exception 'group params must be a JSON object' using errcode = '22023';
    end if;
    for k, v in select * from jsonb_each(p) loop
        v_problem := nezuko.group_setting_problem(k, v);
        continue when v_problem is null;
        if v_problem->>'key' = 'settings.unknown' then
            raise exception 'unknown group setting "%"', k
                using errcode = '22023', hint = 'allowed settings: ' || (v_problem->'args'->>'names');
        end if;
        select body into v_msg from nezuko.bot_texts where key = v_problem->>'key' and language = 'en';
        for a in select * from jsonb_each_text(v_problem->'args') loop
            v_msg := replace(v_msg, '{' || a.key || '}', coalesce(a.value, ''));
        end loop;
        raise exception '%', replace(replace(v_msg, '&lt;', '<'), '&gt;', '>') using errcode = '22023';
    end loop;
    return true;
end
$$;
comment on function nezuko.check_group_params(jsonb) is
    'Validates protected_groups.params against the registry nezuko.group_settings (used by its CHECK constraint); raises 22023 naming the bad setting.';
comment on column nezuko.protected_groups.params is
    'Per-group settings over the defaults of nezuko.group_settings (mode, language, mute_duration_seconds, verify_on_join, join_request_gating, fail_mode, sender_chat_action, prompt_text, auto_delete_seconds, whitelist). Validated by nezuko.check_group_params.';
