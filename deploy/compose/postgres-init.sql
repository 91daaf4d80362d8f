-- One database per Dema service (compose.yaml mounts this into postgres' init directory).
CREATE DATABASE dema_user OWNER dema;
CREATE DATABASE dema_product OWNER dema;
CREATE DATABASE dema_order OWNER dema;
CREATE DATABASE dema_analytics OWNER dema;
CREATE DATABASE dema_payment OWNER dema;
