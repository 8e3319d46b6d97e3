-- api.config_entry: one typed setting of admin_config.
create type api.config_entry as (
    key text,
    value jsonb,
    value_type nezuko.value_type,
    min_value numeric,
    max_value numeric,
    description text,
    updated_by bigint,
    updated_at timestamptz
);
comment on type api.config_entry is 'A typed system setting: value (JSON of value_type), its allowed range, and who changed it last.
@nullable min_value, max_value, updated_by';
