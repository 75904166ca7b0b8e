"""How contact gets in and out: one package per channel (email first; SMS and telephone follow) behind one small
interface. Inbound, a channel turns what arrived into the CRM's own calls (`case_create`, resident information on
a case, an Interaction on the person); outbound, it delivers through the transactional outbox."""
