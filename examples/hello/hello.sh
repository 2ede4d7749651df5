#!/bin/sh
cat /app/hello.txt
