module example.com/stagewise/harden

go 1.23
