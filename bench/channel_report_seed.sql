-- Contacts and replies for the channel report benchmark (bench/channel_report_bench.py), on a database seeded by
-- bench/crm_seed.py. Run once as the schema owner; about 3 minutes at 1,000,000 cases.
BEGIN;
INSERT INTO identity_user (password, is_superuser, username, first_name, last_name, email, is_staff, is_active,
                           date_joined, is_provider_staff, must_change_password)
SELECT '!', false, 'bench-agent', 'Bench', 'Agent', 'agent@bench.test', false, true, now(), false, false
WHERE NOT EXISTS (SELECT FROM identity_user WHERE username = 'bench-agent');
INSERT INTO crm_caseevent (kind, is_public, body, data, actor_label, occurred_at, case_id, tenant_id, open311_update_id)
SELECT 'update', true, '', '{}'::jsonb, 'agent', created_at + random() * interval '72 hours', id, tenant_id, ''
FROM crm_case WHERE random() < 0.7;
INSERT INTO crm_interaction (channel, direction, summary, body, data, occurred_at, case_id, tenant_id)
SELECT CASE channel WHEN 'open311' THEN 'web' WHEN 'staff' THEN 'phone' ELSE channel END, 'in', 'x', '', '{}'::jsonb,
       created_at, id, tenant_id FROM crm_case
UNION ALL
SELECT 'email', 'out', 'ack', '', '{}'::jsonb, created_at + interval '1 second', id, tenant_id FROM crm_case
UNION ALL
SELECT (ARRAY['web','email','phone','phone','sms'])[1 + floor(random() * 5)::int], 'in', 'more', '', '{}'::jsonb,
       created_at + random() * interval '10 days', id, tenant_id FROM crm_case WHERE random() < 0.2;
INSERT INTO crm_interaction (channel, direction, summary, body, data, occurred_at, case_id, tenant_id, recorded_by_id)
SELECT 'phone', 'out', 'call back', '', '{}'::jsonb, created_at + random() * interval '24 hours', id, tenant_id,
       (SELECT id FROM identity_user WHERE username = 'bench-agent')
FROM crm_case WHERE channel = 'phone' AND random() < 0.3;
COMMIT;
VACUUM ANALYZE crm_caseevent;
VACUUM ANALYZE crm_interaction;
