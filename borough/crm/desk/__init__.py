"""The case-worker desk of the staff app (/staff/crm/): queues, search, the case page with its quick actions,
logging a case on a resident's behalf, the knowledge base and the dashboard. Views are thin: they parse input,
call the CRM's services and selectors, and render."""
