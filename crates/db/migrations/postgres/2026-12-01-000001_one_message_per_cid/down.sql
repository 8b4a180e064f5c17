DROP INDEX messages_sender_cid;
