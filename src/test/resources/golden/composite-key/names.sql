-- prefix
cbm_generic_orders

-- like pattern
cbm\_generic\_orders\_%
