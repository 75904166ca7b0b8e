-- A council of :n dwellings for the annual billing benchmark (bench/revenues_billing_bench.py, which runs this as the
-- schema owner with psql variables tenant, n, parishes ('{1,2,...}') and prefix). One INSERT ... SELECT over
-- generate_series per table: about 10 s at 120,000 dwellings.
--
-- The mix, roughly England's (VOA Council Tax: stock of properties 2025, table CTSOP1.0): bands A 24%, B 20%,
-- C 22%, D 16%, E 10%, F 5%, G 3.4%, H 0.6%; 40% of dwellings in one of the parishes; 35% single person discount,
-- 2% exempt, 1% long-term empty premium, 8% council tax reduction; 1% moved in and 1% moved out during 2026-27;
-- 15% pay by 12 instalments and 10% have e-billing.
\set ON_ERROR_STOP on
BEGIN;
SELECT setseed(0.2026);
CREATE TEMP TABLE seed ON COMMIT DROP AS
SELECT g, random() AS r_band, random() AS r_parish, random() AS r_reduction, random() AS r_ctr, random() AS r_move,
       random() AS r_scheme, random() AS r_day
FROM generate_series(1, :n) AS g;

INSERT INTO revenues_dwelling (tenant_id, uprn, address_line_1, address_line_2, address_line_3, town, postcode, status,
                               created_at, updated_at, voa_reference, band, band_effective_from, parish_id)
SELECT :tenant, (100000000000 + g)::text, (1 + g % 250) || ' ' || (ARRAY['High Street', 'Church Lane', 'Mill Road',
       'Station Road', 'Park Avenue', 'The Green', 'Victoria Road', 'Manor Way'])[1 + (g / 250) % 8], 'Flat ' || g,
       '', 'Benchtown', 'BT' || (1 + g % 30) || ' ' || (1 + g % 9) || 'AB', 'live', now(), now(),
       'B' || lpad(g::text, 10, '0'),
       CASE WHEN r_band < 0.24 THEN 'A' WHEN r_band < 0.44 THEN 'B' WHEN r_band < 0.66 THEN 'C'
            WHEN r_band < 0.82 THEN 'D' WHEN r_band < 0.92 THEN 'E' WHEN r_band < 0.97 THEN 'F'
            WHEN r_band < 0.994 THEN 'G' ELSE 'H' END,
       DATE '1993-04-01',
       CASE WHEN r_parish < 0.4 THEN (:'parishes'::bigint[])[1 + g % cardinality(:'parishes'::bigint[])] END
FROM seed ORDER BY g;

CREATE TEMP TABLE dmap ON COMMIT DROP AS
SELECT d.id AS dwelling_id, s.* FROM revenues_dwelling d JOIN seed s ON d.voa_reference = 'B' || lpad(s.g::text, 10, '0')
WHERE d.tenant_id = :tenant;

INSERT INTO revenues_account (tenant_id, number, status, opened_at, dwelling_id, correspondence_address, ebilling_email,
                              instalment_scheme)
SELECT :tenant, :'prefix' || '-' || lpad(g::text, 8, '0'), CASE WHEN r_move >= 0.99 THEN 'closed' ELSE 'open' END,
       now() - interval '1 day', dwelling_id, '',
       CASE WHEN r_scheme < 0.10 THEN 'resident' || g || '@example.org' ELSE '' END,
       CASE WHEN r_scheme >= 0.85 THEN 12 ELSE 10 END
FROM dmap ORDER BY g;

CREATE TEMP TABLE amap ON COMMIT DROP AS
SELECT a.id AS account_id, m.* FROM revenues_account a JOIN dmap m ON a.dwelling_id = m.dwelling_id
WHERE a.tenant_id = :tenant;

INSERT INTO revenues_accountparty (tenant_id, account_id, name, added_at)
SELECT :tenant, account_id, (ARRAY['Olivia', 'Noah', 'Amelia', 'George', 'Isla', 'Arthur', 'Ava', 'Leo'])[1 + g % 8]
       || ' ' || (ARRAY['Smith', 'Jones', 'Taylor', 'Brown', 'Patel', 'Khan', 'Evans', 'Hughes'])[1 + (g / 8) % 8],
       now()
FROM amap
UNION ALL
SELECT :tenant, account_id, 'Sam ' || (ARRAY['Smith', 'Jones', 'Taylor', 'Brown'])[1 + g % 4], now()
FROM amap WHERE r_scheme BETWEEN 0.5 AND 0.7;

-- Liability: since 2015 for most; 1% move in during the year, 1% move out during it.
INSERT INTO revenues_liabilityperiod (tenant_id, account_id, start, "end", start_reason, end_reason)
SELECT :tenant, account_id,
       CASE WHEN r_move >= 0.98 AND r_move < 0.99 THEN DATE '2026-04-02' + (r_day * 300)::int ELSE DATE '2015-06-01' END,
       CASE WHEN r_move >= 0.99 THEN DATE '2026-04-02' + (r_day * 300)::int END,
       'move_in', CASE WHEN r_move >= 0.99 THEN 'move_out' ELSE '' END
FROM amap;

INSERT INTO revenues_reduction (tenant_id, account_id, kind, code, start, "end", percent, amount, empty_since, reason,
                                created_at)
SELECT :tenant, account_id,
       CASE WHEN r_reduction < 0.35 THEN 'discount' WHEN r_reduction < 0.37 THEN 'exemption' ELSE 'premium' END,
       CASE WHEN r_reduction < 0.35 THEN 'single_person'
            WHEN r_reduction < 0.37 THEN (ARRAY['F', 'E', 'N', 'U'])[1 + g % 4] ELSE 'long_term_empty' END,
       DATE '2015-06-01', NULL, CASE WHEN r_reduction >= 0.37 THEN 100 END, NULL,
       CASE WHEN r_reduction >= 0.37 THEN DATE '2023-01-01' END, 'benchmark', now()
FROM amap WHERE r_reduction < 0.38
UNION ALL
SELECT :tenant, account_id, 'council_tax_reduction', '', DATE '2026-04-01', DATE '2027-03-31', NULL,
       (200 + (r_day * 800)::int)::numeric, NULL, 'benchmark', now()
FROM amap WHERE r_ctr < 0.08 AND r_reduction >= 0.38;
COMMIT;
ANALYZE revenues_dwelling;
ANALYZE revenues_account;
ANALYZE revenues_accountparty;
ANALYZE revenues_liabilityperiod;
ANALYZE revenues_reduction;
