CREATE TABLE frames (
  `timestamp` TIMESTAMP_LTZ(9),
  interface_name STRING,
  captured_length INT,
  ts AS CAST(`timestamp` AS TIMESTAMP_LTZ(3)),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'capstream', 'interfaces' = 'eth0', 'fanout-members' = '2');

SELECT window_start, interface_name, COUNT(*) AS frames, SUM(CAST(captured_length AS BIGINT)) AS frame_bytes
FROM TABLE(TUMBLE(TABLE frames, DESCRIPTOR(ts), INTERVAL '1' SECOND))
GROUP BY window_start, window_end, interface_name;
