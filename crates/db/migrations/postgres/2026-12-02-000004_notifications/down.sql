DROP TABLE notifications_due;
DROP TABLE notification_settings;
